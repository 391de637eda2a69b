import { TextSink } from './output';

/** The process's streams and environment, passed in so that nothing reaches for globals. */
export interface Io {
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean; setRawMode?(raw: boolean): unknown };
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: NodeJS.ProcessEnv;
}
