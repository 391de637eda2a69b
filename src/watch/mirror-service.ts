/** Mirrors of the client: `mirror()` built from its reads and its watches, closed with it. */
import { defer, Observable } from 'rxjs';
import { describe } from '../describe-value';
import { EtcdInvalidArgumentError } from '../errors';
import { KeyValue } from '../kv/key-value';
import { KeySelector } from '../kv/key-selector';
import { KvService } from '../kv/kv-service';
import { Lifecycle } from '../resilience/lifecycle';
import { InvalidValuePolicy, mirror, MirrorJsonOptions, MirrorSources, MirrorState } from './mirror';
import { WatchBatch } from './watch-event';
import { WatchOptions } from './watch-request';
import { optionsOf } from '../validate';

const POLICIES: readonly InvalidValuePolicy[] = ['fail', 'skip', 'keep-last'];

/**
 * Live copies of key ranges, each completed when the client closes.
 * @example new MirrorService(kv, watches, lifecycle).mirrorJson<Config>({ prefix: 'config/' })
 */
export class MirrorService {
  private readonly sources: MirrorSources;

  constructor(
    kv: KvService,
    watches: { watch(selector: KeySelector, options?: WatchOptions): Observable<WatchBatch> },
    private readonly lifecycle: Lifecycle,
  ) {
    this.sources = { range: (s, o) => kv.range(s, o), list: (s, o) => kv.list(s, o), watch: (s, o) => watches.watch(s, o) };
  }

  /** The keys of `selector` as they are, after each revision that changed them. */
  mirror(selector: KeySelector): Observable<MirrorState<KeyValue>> {
    return this.lifecycle.track(
      mirror(this.sources, selector, (kv) => kv),
      'complete',
    );
  }

  /** `mirror()` with every value parsed as JSON; a value that is not JSON is handled by `onInvalid`. */
  mirrorJson<T = unknown>(selector: KeySelector, options?: MirrorJsonOptions): Observable<MirrorState<T>> {
    return defer(() => {
      const onInvalid = optionsOf(options, 'mirrorJson').onInvalid ?? 'keep-last';
      if (!POLICIES.includes(onInvalid)) {
        throw new EtcdInvalidArgumentError(`mirrorJson option onInvalid must be one of ${POLICIES.join(', ')}, got ${describe(onInvalid)}`);
      }
      return this.lifecycle.track(
        mirror(this.sources, selector, (kv) => kv.json<T>(), onInvalid),
        'complete',
      );
    });
  }
}
