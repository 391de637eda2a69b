/** What every command is made of, and what it gets to run with. */
import type { Etcd } from '../index';
import { ArgsSpec, FlagSpec, ParsedArgs } from './args';
import { CONNECTION_FLAGS } from './connection';
import { signalExitCode, ExitCode } from './exit-codes';
import { Ending, Interrupts } from './interrupts';
import { Io } from './io';
import { Output } from './output';

/** What a command runs with. */
export interface Context {
  readonly args: ParsedArgs;
  /** Results, in the chosen format, on stdout. */
  readonly out: Output;
  /** Progress and warnings for people, on stderr (text only, whatever the format). */
  readonly log: Output;
  readonly io: Io;
  readonly interrupts: Interrupts;
  /** The client (created on first use, from `-s` or the environment). */
  etcd(): Etcd;
}

/** One command (`get`) or one subcommand of a group (`lease grant`). */
export interface Command {
  /** The words that name it: `get`, `lease grant`. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line, for the list of commands. */
  readonly summary: string;
  /** More, for the command's own help. */
  readonly details?: string;
  /** Its arguments and flags (the global flags come on top). */
  readonly args: ArgsSpec;
  /** At least one full command line, for `--help`. */
  readonly examples: readonly string[];
  /** Runs it and answers the exit code; failures are thrown and turned into messages by the CLI. */
  run(context: Context): Promise<number>;
}

/** etcdctl's timeouts, in Go's duration syntax (5s, 500ms). */
export const TIMEOUT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'command-timeout',
    kind: 'string',
    placeholder: 'DURATION',
    description: 'how long each request may take before it fails over or fails (default 5s)',
  },
  { name: 'dial-timeout', kind: 'string', placeholder: 'DURATION', description: 'accepted as etcdctl has it; connecting counts against --command-timeout' },
  {
    name: 'keepalive-time',
    kind: 'string',
    placeholder: 'DURATION',
    description: 'accepted as etcdctl has it; connections are kept alive and checked by etcd-rx itself',
  },
  {
    name: 'keepalive-timeout',
    kind: 'string',
    placeholder: 'DURATION',
    description: 'how long a member may leave a liveness probe unanswered before it counts as gone (default 1s; etcdctl: 6s)',
  },
];

/** The flags every command takes. */
export const GLOBAL_FLAGS: readonly FlagSpec[] = [
  {
    name: 'servers',
    short: 's',
    aliases: ['endpoints'],
    kind: 'string',
    placeholder: 'URLS',
    description: 'etcd members, separated by commas, semicolons or spaces (default: $ETCD_SERVERS, else $ETCDCTL_ENDPOINTS, else http://127.0.0.1:2379)',
  },
  {
    name: 'output',
    short: 'o',
    shortAliases: ['w'],
    aliases: ['write-out'],
    kind: 'string',
    placeholder: 'FORMAT',
    description: 'simple (or text, the default), json, table or fields, printed as etcdctl 3.4 prints them ($ETCDCTL_WRITE_OUT)',
  },
  { name: 'hex', kind: 'boolean', description: 'print keys and values as \\xNN escapes of every byte (simple format), as etcdctl --hex' },
  ...CONNECTION_FLAGS,
  { name: 'help', short: 'h', kind: 'boolean', description: 'show help' },
  { name: 'version', kind: 'boolean', description: 'print the version of etcd-rx' },
  ...TIMEOUT_FLAGS,
];

/**
 * The exit code of a one-shot command from how its run ended: 0 when it completed, 128+signal
 * when interrupted; a failure is thrown on.
 * @example return finished(await context.interrupts.run(etcd.put('k', 'v'), print))
 */
export function finished(ending: Ending): number {
  if (ending.type === 'failed') throw ending.error;
  return ending.type === 'interrupted' ? signalExitCode(ending.signal) : ExitCode.OK;
}

/**
 * The exit code of a command that runs until interrupted: 0 when Ctrl-C ended it (the normal
 * way), or when it completed; a failure is thrown on.
 * @example return untilInterrupted(await context.interrupts.run(etcd.watch('k'), print))
 */
export function untilInterrupted(ending: Ending): number {
  if (ending.type === 'failed') throw ending.error;
  return ExitCode.OK;
}
