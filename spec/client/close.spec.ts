import { firstValueFrom } from 'rxjs';
import { Etcd, EtcdClientClosedError } from '../../src';
import { useCluster } from '../support/cluster';
import { openConnections, portsOf } from '../support/sockets';
import { waitFor } from '../support/wait';

/** Timers keeping this process alive. */
const timers = () => process.getActiveResourcesInfo().filter((k) => k === 'Timeout').length;

describe('close()', () => {
  const cluster = useCluster(3);

  it('leaves no socket or timer open, even with calls in flight, and refuses calls afterwards', async () => {
    const ports = portsOf(cluster().endpoints);
    const timersBefore = timers();
    const etcd = new Etcd({ endpoints: cluster().endpoints });
    await Promise.all(Array.from({ length: 20 }, (_, i) => firstValueFrom(etcd.put(`close/${i}`, 'v'))));
    await Promise.all(cluster().endpoints.map((e) => firstValueFrom(etcd.endpointStatus(e))));
    expect(openConnections(ports)).toBeGreaterThanOrEqual(3);
    const inFlight = firstValueFrom(etcd.get('close/0')).catch((e: unknown) => e);
    await etcd.close();
    await inFlight;
    await waitFor(() => openConnections(ports) === 0 && timers() <= timersBefore, 'sockets and timers to close', 2000);
    await expect(firstValueFrom(etcd.get('close/0'))).rejects.toBeInstanceOf(EtcdClientClosedError);
  });
});
