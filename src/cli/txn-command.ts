/** `txn [FILE]`: a transaction from a script, from stdin, or typed in section by section. */
import { promises as fsPromises } from 'fs';
import type * as readline from 'readline';
import type { TxnResult } from '../index';
import { Command, Context, finished } from './command';
import { argumentBytes } from './command-line';
import { Paint } from './output';
import { UsageError } from './args';
import { txnFields, txnGoJson } from './etcdctl-kv';
import { goJson, printAs, refuseFormats } from './etcdctl-format';
import { kvText } from './render';
import { readAll } from './stdin';
import { OpPrinting, parseTxn, TXN_FORMAT, TXN_SECTIONS } from './txn-format';

/** `txn [FILE]` */
export const txn: Command = {
  name: 'txn',
  summary: 'run a transaction: compares, then the success or the failure operations',
  details: `Reads the transaction from FILE, or from stdin ("-" or no FILE). With -i it asks for each section
in turn on stdout, as etcdctl does (compares:, success requests (get, put, del):, failure requests
(get, put, del):); end each section with an empty line.

${TXN_FORMAT}

Prints SUCCESS or FAILURE, then the result of each operation that ran after an empty line, as
etcdctl does (OK for put, the count for del, keys and values for get); -w json and -w fields print the answer as etcdctl does, and -w table
is refused as etcdctl refuses it (exit 4). The exit code is 0 whether the compares held or not, as
etcdctl's: SUCCESS or FAILURE (or "succeeded" in -w json) tells which branch ran.`,
  args: {
    positionals: [{ name: 'FILE', optional: true }],
    flags: [{ name: 'interactive', short: 'i', kind: 'boolean', description: 'ask for each section in turn, as etcdctl txn -i does' }],
  },
  examples: ['etcd-rx txn switch-mode.txn', `printf 'value("mode") = "blue"\\n\\nput mode green\\n\\nget mode\\n' | etcd-rx txn`, 'etcd-rx txn -i'],
  run: async (context) => {
    const refused = refuseFormats(context, ['table']);
    if (refused !== undefined) return refused;
    const { request, printing } = parseTxn(await readScript(context));
    const ending = await context.interrupts.run(context.etcd().txn(request), (result) => {
      const ran = result.succeeded ? printing.success : printing.failure;
      printAs(context.out, {
        simple: () => txnText(result, ran, context.out.paint),
        json: () => goJson(txnGoJson(result)),
        fields: () => txnFields(result).join('\n'),
      });
    });
    return finished(ending);
  },
};

async function readScript(context: Context): Promise<string> {
  const file = context.args.positional(0);
  const interactive = context.args.bool('interactive');
  if (file !== undefined && file !== '-') {
    if (interactive) throw new UsageError('-i reads the transaction from stdin: give no FILE');
    return fsPromises.readFile(argumentBytes(file), 'utf8');
  }
  return interactive ? askSections(context) : (await readAll(context.io.stdin)).toString('utf8');
}

/** Asks for each section on stdout, as etcdctl -i does, until three have ended with an empty line. */
async function askSections(context: Context): Promise<string> {
  const lines: string[] = [];
  let section = 0;
  context.io.stdout.write(`${TXN_SECTIONS[0]}:\n`);
  // Loaded here, not at start-up: only an interactive txn reads lines.
  const input = (require('readline') as typeof readline).createInterface({ input: context.io.stdin, terminal: false });
  for await (const line of input) {
    lines.push(line);
    if (line.trim() !== '') continue;
    if (++section === TXN_SECTIONS.length) break;
    context.io.stdout.write(`${TXN_SECTIONS[section]}:\n`);
  }
  input.close();
  return lines.join('\n');
}

/** The printing of the operation at `index` of a branch (a nested transaction's, from no script, is plain). */
function printingAt(printing: readonly OpPrinting[], index: number): OpPrinting {
  return printing.at(index) ?? { keysOnly: false, countOnly: false };
}

/**
 * The text of a transaction's result as etcdctl prints it (an empty line before each operation's
 * result), each get printed as plain `get` prints it with the same flags.
 */
function txnText(result: TxnResult, printing: readonly OpPrinting[], paint: Paint): string {
  const lines = [result.succeeded ? paint.green('SUCCESS') : paint.yellow('FAILURE')];
  result.responses.forEach((op, i) => {
    const { keysOnly, countOnly } = printingAt(printing, i);
    lines.push('');
    if (op.type === 'put') lines.push('OK', ...(op.result.prevKv.some ? [kvText(op.result.prevKv.val, paint)] : []));
    else if (op.type === 'delete') lines.push(String(op.result.deleted), ...op.result.prevKvs.map((kv) => kvText(kv, paint)));
    else if (op.type === 'range') lines.push(...(countOnly ? [String(op.result.count)] : op.result.kvs.map((kv) => kvText(kv, paint, { keysOnly }))));
    else lines.push(txnText(op.result, [], paint));
  });
  return lines.join('\n');
}
