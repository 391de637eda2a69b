/**
 * Listening to the client's diagnostics channels in a spec.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/**
 * Collects every message published on `name` until `stop()`, handing each to `each` as well
 * (called as it is published, so it can act while the call that published it is in flight).
 * @example const ends = listen<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd); ...; ends.stop()
 */
export function listen<M>(name: string, each?: (message: M) => void): { readonly messages: M[]; stop(): void } {
  const messages: M[] = [];
  const listener = (message: unknown) => {
    messages.push(message as M);
    each?.(message as M);
  };
  subscribe(name, listener);
  return { messages, stop: () => unsubscribe(name, listener) };
}
