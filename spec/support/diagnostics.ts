/**
 * Listening to the client's diagnostics channels in a spec.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/**
 * Collects every message published on `name` until `stop()`.
 * @example const ends = listen<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd); ...; ends.stop()
 */
export function listen<M>(name: string): { readonly messages: M[]; stop(): void } {
  const messages: M[] = [];
  const listener = (message: unknown) => messages.push(message as M);
  subscribe(name, listener);
  return { messages, stop: () => unsubscribe(name, listener) };
}
