/** The help texts: the list of commands, a group's subcommands, one command's options and examples. */
import { FlagSpec } from './args';
import { Command, GLOBAL_FLAGS } from './command';
import { EXIT_CODES_HELP } from './exit-codes';

/**
 * The one-line usage of a command.
 * @example usage(get) // 'etcd-rx get KEY [END] [options]'
 */
export function usage(command: Command): string {
  const positionals = command.args.positionals.map((p) => (p.optional ? `[${p.name}]` : p.name));
  const dashes = command.args.restWithoutDashes === true ? '[--]' : '--';
  const rest = command.args.rest === undefined ? [] : [`[${dashes} ${command.args.rest} ...]`];
  return ['etcd-rx', command.name, ...positionals, '[options]', ...rest].join(' ');
}

/**
 * The full help of one command.
 * @example commandHelp(get)
 */
export function commandHelp(command: Command): string {
  const names = [command.name, ...(command.aliases ?? [])].join(', ');
  return [
    `usage: ${usage(command)}`,
    '',
    `${names}: ${command.summary}`,
    ...(command.details === undefined ? [] : ['', command.details]),
    '',
    ...(command.args.flags.length === 0 ? [] : ['options:', flagLines(command.args.flags), '']),
    'global options:',
    flagLines(GLOBAL_FLAGS),
    '',
    'examples:',
    ...command.examples.map((e) => `  ${e}`),
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/**
 * The help of the whole tool: every command with its summary.
 * @example toolHelp(COMMANDS)
 */
export function toolHelp(commands: readonly Command[]): string {
  return [
    'etcd-rx: a command-line client for etcd v3',
    '',
    'usage: etcd-rx COMMAND [ARGS...] [options]',
    '',
    'commands:',
    commandList(commands),
    '',
    'global options:',
    flagLines(GLOBAL_FLAGS),
    '',
    "Run 'etcd-rx COMMAND --help' for a command's options and examples.",
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

/**
 * The help of a group (`lease`): its subcommands.
 * @example groupHelp('lease', leaseCommands)
 */
export function groupHelp(group: string, commands: readonly Command[]): string {
  return [
    `usage: etcd-rx ${group} (${commands.map((c) => c.name.slice(group.length + 1)).join(' | ')}) [ARGS...] [options]`,
    '',
    commandList(commands),
    '',
    `Run 'etcd-rx ${group} COMMAND --help' for a command's options and examples.`,
  ].join('\n');
}

function commandList(commands: readonly Command[]): string {
  const lines = commands.map((c) =>
    usage(c)
      .replace(/^etcd-rx /, '')
      .replace(' [options]', ''),
  );
  const width = Math.max(...lines.map((l) => l.length));
  return commands.map((c, i) => `  ${lines[i].padEnd(width)}  ${c.summary}`).join('\n');
}

function flagLines(flags: readonly FlagSpec[]): string {
  const left = flags.map((f) => {
    const shorts = [...(f.short === undefined ? [] : [f.short]), ...(f.shortAliases ?? [])].map((s) => `-${s}`);
    const names = [...shorts, `--${f.name}`, ...(f.aliases ?? []).map((a) => `--${a}`)].join(', ');
    return f.kind === 'boolean' ? names : `${names} ${f.placeholder ?? 'VALUE'}`;
  });
  const width = Math.max(...left.map((l) => l.length));
  return flags.map((f, i) => `  ${left[i].padEnd(width)}  ${f.description}`).join('\n');
}
