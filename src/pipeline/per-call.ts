/**
 * The first stage of every call: what the caller asked of this call alone. Its deadline is
 * checked here, before anything is sent (failover keeps it, see resilience/failover), and its
 * abort signal cancels everything below, as unsubscribing does.
 */
import { Observable } from 'rxjs';
import { deadlineOf } from '../call-options';
import { Stage } from './call';

/**
 * Refuses a bad `deadlineMs` with EtcdInvalidArgumentError, and fails the call with the
 * signal's reason when its `signal` aborts.
 * @example chain([perCall, namespaced(space)], route)
 */
export const perCall: Stage = (next) => (call) => {
  // Most calls ask nothing of their own: they go down untouched, at no cost.
  if (call.options.deadlineMs === undefined && call.options.signal === undefined) return next(call);
  return new Observable((subscriber) => {
    deadlineOf(call.options);
    const signal = call.options.signal;
    if (signal === undefined) return next(call).subscribe(subscriber);
    if (signal.aborted) {
      subscriber.error(signal.reason);
      return undefined;
    }
    const abort = () => subscriber.error(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    const subscription = next(call).subscribe(subscriber);
    return () => {
      signal.removeEventListener('abort', abort);
      subscription.unsubscribe();
    };
  });
};
