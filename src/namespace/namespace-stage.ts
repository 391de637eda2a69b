/**
 * The stage of a namespaced view: every call's keys are moved under the view's prefix on the way
 * down and every answer's keys taken back out on the way up. The services above (KV, leases,
 * locks, elections) run unchanged and never learn that a namespace exists.
 */
import { Stage } from '../pipeline/call';
import { KeySpace } from './key-space';

/**
 * The stage that puts calls inside `space`.
 * @example chain([perCall, namespaced(KeySpace.of('app/'))], route)
 */
export function namespaced(space: KeySpace): Stage {
  return (next) => (call) =>
    next({
      ...call,
      body: space.request(call.path, call.body),
      decode: (json, endpoint) => call.decode(space.response(call.path, json), endpoint),
    });
}
