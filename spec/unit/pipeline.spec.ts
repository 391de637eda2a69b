/**
 * The chain's stages, alone: a call value goes down whole (a per-call deadline survives a
 * namespace), diagnostics cost nothing unsubscribed, re-authentication re-sends once and says so.
 */
import { firstValueFrom, Observable, of, throwError } from 'rxjs';
import {
  AuthRefreshMessage,
  CallEndMessage,
  CallStartMessage,
  DIAGNOSTICS_CHANNELS,
  EtcdInvalidArgumentError,
  EtcdPermissionDeniedError,
  EtcdUnauthenticatedError,
} from '../../src';
import { KeySpace } from '../../src/namespace/key-space';
import { namespaced } from '../../src/namespace/namespace-stage';
import { Attempt, Exchange, Send } from '../../src/pipeline/attempt';
import { Call, chain, methodOf } from '../../src/pipeline/call';
import { observed } from '../../src/pipeline/observed';
import { perCall } from '../../src/pipeline/per-call';
import { reauthentication } from '../../src/pipeline/reauthentication';
import { LINEARIZABLE_READ } from '../../src/resilience/retry-policy';
import { ChainCaller } from '../../src/resilience/unary-caller';
import { listen } from '../support/diagnostics';

const endpoint = { url: 'http://a:1', agent: undefined as never };
const attempt = (exchange: Exchange = { kind: 'post', path: '/v3/kv/range', body: {} }): Attempt => ({ method: 'range', endpoint, attempt: 1, exchange });

describe('the call chain', () => {
  it('hands every field down whole, a per-call deadline included, through a namespace', async () => {
    const seen: Call<unknown>[] = [];
    const bottom = <T>(call: Call<T>): Observable<T> => {
      seen.push(call as Call<unknown>);
      return of(call.decode({ kvs: [] }, 'http://a:1'));
    };
    const caller = new ChainCaller(chain([perCall, namespaced(KeySpace.of('p/'))], bottom), ['http://a:1']);
    await firstValueFrom(caller.call('/v3/kv/range', { key: Buffer.from('k').toString('base64') }, LINEARIZABLE_READ, () => 'ok', { deadlineMs: 700 }));
    expect(seen).toHaveLength(1);
    expect(seen[0].options).toEqual({ deadlineMs: 700 });
    expect(seen[0].body).toEqual({ key: Buffer.from('p/k').toString('base64') });
    expect(seen[0].route).toEqual({ kind: 'failover' });
  });

  it('refuses a bad per-call deadline before anything is sent, naming it', async () => {
    let sent = 0;
    const bottom = <T>(): Observable<T> => {
      sent++;
      return of();
    };
    const caller = new ChainCaller(chain([perCall], bottom), []);
    const error = await firstValueFrom(caller.call('/v3/kv/range', {}, LINEARIZABLE_READ, () => 'ok', { deadlineMs: 0 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EtcdInvalidArgumentError);
    expect((error as Error).message).toContain('deadlineMs');
    expect(sent).toBe(0);
  });

  it('fails a call with its abort signal’s reason', async () => {
    const bottom = <T>(): Observable<T> => new Observable<T>(() => undefined);
    const caller = new ChainCaller(chain([perCall], bottom), []);
    const controller = new AbortController();
    const answer = firstValueFrom(caller.call('/v3/kv/range', {}, LINEARIZABLE_READ, () => 'ok', { signal: controller.signal }));
    controller.abort(new Error('no longer needed'));
    await expect(answer).rejects.toThrow('no longer needed');
  });

  it('names methods as the gateway does', () => {
    expect(['/v3/kv/range', '/v3/kv/deleterange', '/v3/lease/grant', '/v3/watch', '/version'].map(methodOf)).toEqual([
      'range',
      'deleterange',
      'lease/grant',
      'watch',
      'version',
    ]);
  });
});

describe('the attempt stages', () => {
  it('diagnostics: with nobody listening, the attempt goes down untouched', () => {
    const answer = of('json');
    const send = observed(() => 0)(() => answer as never);
    expect(send(attempt())).toBe(answer);
  });

  it('diagnostics: each attempt is told as it starts and as it ends, failed or not', async () => {
    const starts = listen<CallStartMessage>(DIAGNOSTICS_CHANNELS.callStart);
    const ends = listen<CallEndMessage>(DIAGNOSTICS_CHANNELS.callEnd);
    let clock = 10;
    try {
      const failing: Send = () => throwError(() => new EtcdUnauthenticatedError('refused')) as never;
      const send = observed(() => (clock += 5))(failing);
      await firstValueFrom(send(attempt())).catch(() => undefined);
      expect(starts.messages).toEqual([{ method: 'range', endpoint: 'http://a:1', attempt: 1, streaming: false }]);
      expect(ends.messages).toEqual([
        { method: 'range', endpoint: 'http://a:1', attempt: 1, streaming: false, durationMs: 5, error: expect.any(EtcdUnauthenticatedError) },
      ]);
    } finally {
      starts.stop();
      ends.stop();
    }
  });

  it('re-authentication: an attempt refused for its token is re-sent once with a new one, and told', async () => {
    const refreshes = listen<AuthRefreshMessage>(DIAGNOSTICS_CHANNELS.authRefresh);
    const tokens = {
      generation: 1,
      token: () => of('t'),
      refused: (used: number) => {
        tokens.generation = used + 1;
      },
    };
    let sent = 0;
    const send: Send = () => (++sent === 1 ? throwError(() => new EtcdUnauthenticatedError('invalid auth token')) : of('json')) as never;
    try {
      const answer = await firstValueFrom(reauthentication(send)({ ...attempt(), endpoint: { ...endpoint, tokens } }));
      expect([answer, sent, tokens.generation]).toEqual(['json', 2, 2]);
      expect(refreshes.messages).toEqual([{ method: 'range', endpoint: 'http://a:1' }]);
    } finally {
      refreshes.stop();
    }
  });

  it('re-authentication: a stream refused "permission denied" is re-sent once with a new token; a call, and a second refusal, are final', async () => {
    const tokens = { generation: 1, token: () => of('t'), refused: (used: number) => void (tokens.generation = used + 1) };
    let sent = 0;
    const denying: Send = () => {
      sent++;
      return throwError(() => new EtcdPermissionDeniedError('permission denied')) as never;
    };
    const stream = { ...attempt(), endpoint: { ...endpoint, tokens }, exchange: { kind: 'lines', path: '/v3/watch', body: {} } } as const;
    await expect(firstValueFrom(reauthentication(denying)(stream))).rejects.toBeInstanceOf(EtcdPermissionDeniedError);
    expect([sent, tokens.generation]).toEqual([2, 2]);
    sent = 0;
    await expect(firstValueFrom(reauthentication(denying)({ ...attempt(), endpoint: { ...endpoint, tokens } }))).rejects.toBeInstanceOf(
      EtcdPermissionDeniedError,
    );
    expect(sent).toBe(1);
  });
});
