/**
 * One run of the CLI: finds the command, parses its arguments, runs it, closes the client (which
 * releases whatever the command still held), and turns any failure into a short message on
 * stderr and an exit code, never a stack trace.
 */
import type { Etcd } from '../index';
import { LeaseLostError } from '../index';
import { isFlag, lookupFlag, parseArgs, ParsedArgs, UsageError } from './args';
import { parseDuration } from './duration';
import { Command, Context, GLOBAL_FLAGS } from './command';
import { Io } from './io';
import { COMMANDS, findCommand, groupCommands } from './commands';
import { connectionOf, nonEmpty, openClient } from './connection';
import { ExitCode } from './exit-codes';
import { commandHelp, groupHelp, toolHelp, usage } from './help';
import { Interrupts } from './interrupts';
import { Output, OutputFormat, wantsColour } from './output';
import { hexLeaseId } from './render';
import { packageVersion } from './version';

/**
 * Runs the command line `argv` (without `node` and the script) and answers the exit code.
 * @example process.exitCode = await runCli(process.argv.slice(2), io, interrupts)
 */
export async function runCli(argv: readonly string[], io: Io, interrupts: Interrupts): Promise<number> {
  const log = new Output(io.stderr, 'text', wantsColour(io.stderr, io.env));
  let command: Command | undefined;
  let client: Etcd | undefined;
  try {
    const located = locate(argv);
    if (located.print !== undefined) {
      io.stdout.write(`${located.print}\n`);
      return ExitCode.OK;
    }
    command = located.command;
    if (asks(located.rest, HELP)) {
      io.stdout.write(`${commandHelp(command)}\n`);
      return ExitCode.OK;
    }
    const args = parseArgs(located.rest, { ...command.args, flags: [...command.args.flags, ...GLOBAL_FLAGS] });
    const connection = await connectionOf(args, io);
    const context: Context = {
      args,
      io,
      interrupts,
      out: new Output(io.stdout, outputFormat(args.text('output') ?? nonEmpty(io.env.ETCDCTL_WRITE_OUT)), wantsColour(io.stdout, io.env)),
      log,
      etcd: () => (client ??= openClient({ ...connection, options: { ...connection.options, ...timeoutOptions(args) } })),
    };
    return await command.run(context);
  } catch (error) {
    return report(error, command, log);
  } finally {
    await client?.close();
  }
}

/** What to print instead of running a command (help, the version), or the command and its arguments. */
type Located =
  | { readonly print: string; readonly command?: undefined; readonly rest?: undefined }
  | { readonly print?: undefined; readonly command: Command; readonly rest: readonly string[] };

const HELP = ['-h', '--help'];

/**
 * Finds the command words (`get`, `lease grant`) among the arguments; global options may come
 * before them, a command's own options only after. `--version` anywhere wins over the rest.
 */
function locate(argv: readonly string[]): Located {
  if (asks(argv, ['--version'])) return { print: packageVersion() };
  const words: number[] = [];
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    if (isFlag(argv[i])) {
      const global = lookupFlag(argv[i], GLOBAL_FLAGS);
      if (global === undefined) throw new UsageError(`unknown option ${argv[i].split('=')[0]} (a command's options go after the command)`, usageOfAll());
      if (global.flag.kind !== 'boolean' && global.attached === undefined) i++;
      continue;
    }
    words.push(i);
    if (words.length === 2 || groupCommands(argv[i]).length === 0) break;
  }
  const names = words.map((i) => argv[i]);
  const rest = argv.filter((_, i) => !words.includes(i));
  const help = asks(rest, HELP);
  if (names[0] === 'help') return { print: helpFor(argv.slice(words[0] + 1).filter((word) => !isFlag(word))) };
  if (names.length === 0) {
    if (help) return { print: toolHelp(COMMANDS) };
    throw new UsageError('missing COMMAND', usageOfAll());
  }
  const group = groupCommands(names[0]);
  if (group.length > 0 && names.length < 2) {
    if (help) return { print: groupHelp(names[0], group) };
    throw new UsageError(`missing ${names[0]} command (${group.map((c) => c.name.slice(names[0].length + 1)).join(', ')})`, groupHelp(names[0], group));
  }
  const command = findCommand(names.join(' '));
  if (command === undefined) {
    throw new UsageError(`unknown command "${names.join(' ')}"`, group.length > 0 ? groupHelp(names[0], group) : usageOfAll());
  }
  return { command, rest };
}

/** `etcd-rx help [COMMAND [SUBCOMMAND]]`. */
function helpFor(words: readonly string[]): string {
  if (words.length === 0) return toolHelp(COMMANDS);
  const group = groupCommands(words[0]);
  const name = group.length > 0 && words.length > 1 ? `${words[0]} ${words[1]}` : words[0];
  const command = findCommand(name);
  if (command !== undefined) return commandHelp(command);
  if (group.length > 0 && words.length === 1) return groupHelp(words[0], group);
  throw new UsageError(`unknown command "${name}"`, usageOfAll());
}

function usageOfAll(): string {
  return "Run 'etcd-rx --help' for the list of commands.";
}

/** Whether one of `flags` (`-h`, `--help`) is among the options (not among the words after `--`). */
function asks(argv: readonly string[], flags: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((word) => flags.includes(word));
}

function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'text' || value === 'simple') return 'text';
  if (value === 'json' || value === 'table' || value === 'fields') return value;
  throw new UsageError(`--output (or $ETCDCTL_WRITE_OUT) must be simple (or text), json, table or fields; got "${value}"`);
}

/**
 * The client options etcdctl's timeout flags set: --command-timeout each request's,
 * --keepalive-timeout the liveness probe's (--dial-timeout and --keepalive-time are only checked).
 */
function timeoutOptions(args: ParsedArgs): { requestTimeoutMs?: number; probeTimeoutMs?: number } {
  for (const name of ['dial-timeout', 'keepalive-time']) {
    const given = args.text(name);
    if (given !== undefined) parseDuration(given, `--${name}`);
  }
  const milliseconds = (name: string) => {
    const given = args.text(name);
    return given === undefined ? undefined : Math.max(1, Math.round(parseDuration(given, `--${name}`)));
  };
  const [request, probe] = [milliseconds('command-timeout'), milliseconds('keepalive-timeout')];
  return { ...(request === undefined ? {} : { requestTimeoutMs: request }), ...(probe === undefined ? {} : { probeTimeoutMs: probe }) };
}

/** Prints what went wrong and answers the exit code. */
function report(error: unknown, command: Command | undefined, log: Output): number {
  const prefix = log.paint.red('etcd-rx:');
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    const help = error.usage ?? (command === undefined ? usageOfAll() : `usage: ${usage(command)}\nRun 'etcd-rx ${command.name} --help' for more.`);
    log.note(() => `${prefix} ${message}\n${help}`);
    return ExitCode.ERROR;
  }
  if (error instanceof LeaseLostError) {
    // Lease IDs are hexadecimal everywhere else on the command line.
    log.note(() => `${prefix} ${message.replace(error.leaseId, hexLeaseId(error.leaseId))}`);
    return ExitCode.LOST;
  }
  log.note(() => `${prefix} ${message}`);
  return ExitCode.ERROR;
}
