/**
 * A whole-cluster restart loses nothing that was acknowledged, and the same client object goes on
 * by itself once the members are back.
 */
import { useClusterWithClients } from '../support/cluster';
import { restartWholeCluster } from '../../bench/chaos-harness/whole-cluster-restart';

describe('chaos: whole-cluster restart', () => {
  const { cluster, client } = useClusterWithClients(3);

  it('keeps every acknowledged write, read back through the same client', async () => {
    const report = await restartWholeCluster(cluster(), client({ requestTimeoutMs: 2000 }), 'restart/', 500);
    console.log(
      `whole-cluster restart: ${report.written} keys written, ${report.lost.length} lost, first answer ${Math.round(report.recoveryMs)} ms after the restart began`,
    );
    expect(report.written).toBe(500);
    expect(report.lost).toEqual([]);
  }, 120_000);
});
