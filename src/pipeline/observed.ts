/**
 * The attempt stage that tells `etcd-rx:call:start` and `etcd-rx:call:end` about every attempt.
 * Whether anyone listens is asked as the attempt is made (attempts are made as they are sent):
 * with no subscriber the attempt goes down untouched.
 */
import { Observable } from 'rxjs';
import { CallStartMessage, diagnostics } from '../diagnostics/channels';
import { AttemptStage } from './attempt';

/**
 * Publishes each attempt's start and end, timed on `now` (milliseconds).
 * @example attemptChain([observed(() => performance.now()), reauthentication], wire)
 */
export function observed(now: () => number): AttemptStage {
  const { callStart, callEnd } = diagnostics;
  return (next) => (attempt) => {
    if (!callStart.active && !callEnd.active) return next(attempt);
    return new Observable((subscriber) => {
      const start: CallStartMessage = {
        method: attempt.method,
        endpoint: attempt.endpoint.url,
        attempt: attempt.attempt,
        streaming: attempt.exchange.kind === 'lines',
      };
      callStart.publish(() => start);
      const startedAt = now();
      let ended = false;
      const end = (outcome: { error?: unknown; cancelled?: boolean }) => {
        if (ended) return;
        ended = true;
        callEnd.publish(() => ({ ...start, durationMs: now() - startedAt, ...outcome }));
      };
      const subscription = next(attempt).subscribe({
        next: (value) => {
          // A unary answer is the end of its attempt, whether or not its completion is still awaited.
          if (!start.streaming) end({});
          subscriber.next(value);
        },
        error: (error: unknown) => {
          end({ error });
          subscriber.error(error);
        },
        complete: () => {
          end({});
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        end({ cancelled: true });
      };
    });
  };
}
