/**
 * The first stage of every call: what the caller asked of this call alone. Its deadline is
 * checked here, before anything is sent (failover keeps it, see resilience/failover), and its
 * abort signal cancels everything below, as unsubscribing does.
 */
import { Observable } from 'rxjs';
import { abortable, deadlineOf } from '../call-options';
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
    return (signal === undefined ? next(call) : abortable(next(call), signal)).subscribe(subscriber);
  });
};
