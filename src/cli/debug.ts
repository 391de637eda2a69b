/**
 * `--debug`: every message the client publishes on its diagnostics channels, one line each on
 * stderr, for as long as the command runs: each attempt's start and end, failovers, watch
 * (re)connections, coalesced batches, re-authentications.
 */
import { subscribe } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS } from '../index';
import { TextSink } from './output';

/**
 * Prints each diagnostics message on `sink` as `debug <channel> field=value …`.
 * @example printDiagnostics(io.stderr) // debug call:end method=range endpoint=http://127.0.0.1:2379 attempt=1 streaming=false durationMs=1.3
 */
export function printDiagnostics(sink: TextSink): void {
  for (const name of Object.values(DIAGNOSTICS_CHANNELS)) {
    subscribe(name, (message) => sink.write(`debug ${name.replace(/^etcd-rx:/, '')} ${fields(message)}\n`));
  }
}

function fields(message: unknown): string {
  return Object.entries(message as Record<string, unknown>)
    .map(([name, value]) => `${name}=${shown(value)}`)
    .join(' ');
}

function shown(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(`${value.name}: ${value.message}`);
  if (typeof value === 'number') return String(Number.isInteger(value) ? value : Number(value.toFixed(1)));
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return String(value);
}
