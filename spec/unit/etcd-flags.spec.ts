import { adaptFlags } from '../../src/testing';

// Excerpts of `etcd --help`: 3.4/3.5 list the experimental names, 3.6 both, 3.7 only the new ones.
const HELP_35 = `  --experimental-watch-progress-notify-interval '10m'\n    Duration of periodical watch progress notification.\n  --heartbeat-interval '100'\n`;
const HELP_36 = `  --watch-progress-notify-interval '10m'\n  --experimental-watch-progress-notify-interval '10m'\n    DEPRECATED. Use --watch-progress-notify-interval instead.\n  --heartbeat-interval '100'\n`;
const HELP_37 = `  --watch-progress-notify-interval '10m'\n    Duration of periodical watch progress notification.\n  --heartbeat-interval '100'\n`;

describe('server flags spelled as the etcd binary knows them', () => {
  it('renames --experimental-* flags for 3.7, and the new names back for 3.4/3.5', () => {
    const old = ['--experimental-watch-progress-notify-interval', '500ms', '--heartbeat-interval', '50'];
    const renamed = ['--watch-progress-notify-interval', '500ms', '--heartbeat-interval', '50'];
    expect(adaptFlags(old, HELP_37)).toEqual(renamed);
    expect(adaptFlags(renamed, HELP_35)).toEqual(old);
    expect(adaptFlags(['--watch-progress-notify-interval=1s'], HELP_35)).toEqual(['--experimental-watch-progress-notify-interval=1s']);
  });

  it('keeps a name the binary lists (3.6 knows both), and leaves unknown flags for etcd to refuse', () => {
    expect(adaptFlags(['--experimental-watch-progress-notify-interval', '1s'], HELP_36)).toEqual(['--experimental-watch-progress-notify-interval', '1s']);
    expect(adaptFlags(['--no-such-flag', '--heartbeat-interval=50'], HELP_37)).toEqual(['--no-such-flag', '--heartbeat-interval=50']);
  });
});
