/**
 * What the package says it supports is what CI runs: `engines.node` names the oldest Node release
 * of the runtime matrix in .ci/run, so that a release dropped from CI is dropped from `engines`
 * too, and a newer one added to CI cannot hide an older one still claimed.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/** The Node majors .ci/run tests on: NEWEST_LTS and OTHER_NODES. */
function ciNodeMajors(): number[] {
  const script = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
  const newest = /^NEWEST_LTS=(\d+)$/m.exec(script)?.[1];
  const others = /^OTHER_NODES=\(([\d ]+)\)$/m.exec(script)?.[1];
  if (newest === undefined || others === undefined) throw new Error('.ci/run sets no NEWEST_LTS=<major> or OTHER_NODES=(<majors>)');
  return [Number(newest), ...others.trim().split(/\s+/).map(Number)];
}

describe('the Node releases etcd-rx supports', () => {
  it('engines names the oldest Node release CI runs on, and CI runs the newest LTS besides', () => {
    const majors = ciNodeMajors();
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe(`>=${Math.min(...majors)}`);
    expect(new Set(majors).size).toBe(majors.length);
    expect(Math.max(...majors) % 2).toBe(0);
  });
});
