/** Mirrors of the client: `mirror()` built from its reads and its watches, closed with it. */
import { Observable } from 'rxjs';
import { KeyValue } from '../kv/key-value';
import { KeySelector } from '../kv/key-selector';
import { KvService } from '../kv/kv-service';
import { Lifecycle } from '../resilience/lifecycle';
import { mirror, MirrorSources, MirrorState } from './mirror';
import { WatchBatch } from './watch-event';
import { WatchOptions } from './watch-request';

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
    return this.lifecycle.track(mirror(this.sources, selector, (kv) => kv), 'complete');
  }

  /** `mirror()` with every value parsed as JSON; a value that is not JSON ends it with an error. */
  mirrorJson<T = unknown>(selector: KeySelector): Observable<MirrorState<T>> {
    return this.lifecycle.track(mirror(this.sources, selector, (kv) => kv.json<T>()), 'complete');
  }
}
