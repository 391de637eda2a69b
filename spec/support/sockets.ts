/**
 * Counts this process's TCP connections to given ports, from the kernel's own tables: idle
 * keep-alive sockets are invisible to Node's active-handle list, but not to /proc.
 */
import { readdirSync, readFileSync, readlinkSync } from 'fs';

/**
 * Open (not yet closed) TCP connections from this process to any of `ports` on loopback.
 * @example openConnections(cluster.endpoints.map((e) => Number(new URL(e).port)))
 */
export function openConnections(ports: readonly number[]): number {
  const ours = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) ours.add(match[1]);
    } catch {
      // The fd closed while we looked.
    }
  }
  const wanted = new Set(ports.map((p) => p.toString(16).toUpperCase().padStart(4, '0')));
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const remotePort = fields[2].split(':')[1];
      const state = fields[3];
      const inode = fields[9];
      // 0A is LISTEN and 07 CLOSE: every other state is a connection still held.
      if (wanted.has(remotePort) && state !== '0A' && state !== '07' && ours.has(inode)) count++;
    }
  }
  return count;
}

/** The ports of some endpoint URLs. */
export const portsOf = (endpoints: readonly string[]): number[] => endpoints.map((e) => Number(new URL(e).port));
