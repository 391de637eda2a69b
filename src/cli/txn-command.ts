/** `txn [FILE]`: a transaction from a script, from stdin, or typed in section by section. */
import * as fs from 'fs';
import * as readline from 'readline';
import type { TxnOpResult, TxnResult } from '../index';
import { Command, Context, finished } from './command';
import { argumentBytes } from './command-line';
import { ExitCode } from './exit-codes';
import { Paint } from './output';
import { kvJson, kvText } from './render';
import { readAll } from './stdin';
import { OpPrinting, parseTxn, TXN_FORMAT, TXN_SECTIONS } from './txn-format';

/** `txn [FILE]` */
export const txn: Command = {
  name: 'txn',
  summary: 'run a transaction: compares, then the success or the failure operations',
  details: `Reads the transaction from FILE, or from stdin ("-" or no FILE). On a terminal it asks for each
section in turn; end each section with an empty line.

${TXN_FORMAT}

Prints SUCCESS or FAILURE, then the result of each operation that ran (OK for put, the count for
del, keys and values for get). The exit code is 2 when the compares did not hold (the failure
operations ran); etcdctl exits 0 then, so a script cannot tell without parsing its output.`,
  args: { positionals: [{ name: 'FILE', optional: true }], flags: [] },
  examples: ['etcd-rx txn switch-mode.txn', `printf 'value("mode") = "blue"\\n\\nput mode green\\n\\nget mode\\n' | etcd-rx txn`],
  run: async (context) => {
    const { request, printing } = parseTxn(await readScript(context));
    let code: number = ExitCode.OK;
    const ending = await context.interrupts.run(context.etcd().txn(request), (result) => {
      if (!result.succeeded) code = ExitCode.COMPARE_FAILED;
      const ran = result.succeeded ? printing.success : printing.failure;
      context.out.emit(txnJson(result, ran), (paint) => txnText(result, ran, paint));
    });
    const exit = finished(ending);
    return exit === ExitCode.OK ? code : exit;
  },
};

async function readScript(context: Context): Promise<string> {
  const file = context.args.positional(0);
  if (file !== undefined && file !== '-') return fs.promises.readFile(argumentBytes(file), 'utf8');
  if (context.io.stdin.isTTY !== true) return (await readAll(context.io.stdin)).toString('utf8');
  return askSections(context);
}

/** Asks for each section on stderr, as etcdctl does, until three have ended with an empty line. */
async function askSections(context: Context): Promise<string> {
  const lines: string[] = [];
  let section = 0;
  context.io.stderr.write(`${TXN_SECTIONS[0]}:\n`);
  const input = readline.createInterface({ input: context.io.stdin, terminal: false });
  for await (const line of input) {
    lines.push(line);
    if (line.trim() !== '') continue;
    if (++section === TXN_SECTIONS.length) break;
    context.io.stderr.write(`${TXN_SECTIONS[section]}:\n`);
  }
  input.close();
  return lines.join('\n');
}

/** The printing of the operation at `index` of a branch (a nested transaction's, from no script, is plain). */
function printingAt(printing: readonly OpPrinting[], index: number): OpPrinting {
  return printing.at(index) ?? { keysOnly: false, countOnly: false };
}

function txnJson(result: TxnResult, printing: readonly OpPrinting[]): Record<string, unknown> {
  return { succeeded: result.succeeded, revision: result.header.revision, responses: result.responses.map((op, i) => opJson(op, printingAt(printing, i))) };
}

function opJson(op: TxnOpResult, { keysOnly }: OpPrinting): Record<string, unknown> {
  switch (op.type) {
    case 'put':
      return { type: 'put', revision: op.result.revision, ...(op.result.prevKv.some ? { prevKv: kvJson(op.result.prevKv.val) } : {}) };
    case 'delete':
      return { type: 'del', deleted: op.result.deleted, prevKvs: op.result.prevKvs.map((kv) => kvJson(kv)) };
    case 'range':
      return { type: 'get', count: op.result.count, more: op.result.more, kvs: op.result.kvs.map((kv) => kvJson(kv, { keysOnly })) };
    case 'txn':
      return { type: 'txn', ...txnJson(op.result, []) };
  }
}

/** The text of a transaction's result: each get printed as plain `get` prints it with the same flags. */
function txnText(result: TxnResult, printing: readonly OpPrinting[], paint: Paint): string {
  const lines = [result.succeeded ? paint.green('SUCCESS') : paint.yellow('FAILURE')];
  result.responses.forEach((op, i) => {
    const { keysOnly, countOnly } = printingAt(printing, i);
    if (op.type === 'put') lines.push('OK', ...(op.result.prevKv.some ? [kvText(op.result.prevKv.val, paint)] : []));
    else if (op.type === 'delete') lines.push(String(op.result.deleted), ...op.result.prevKvs.map((kv) => kvText(kv, paint)));
    else if (op.type === 'range') lines.push(...(countOnly ? [String(op.result.count)] : op.result.kvs.map((kv) => kvText(kv, paint, { keysOnly }))));
    else lines.push(txnText(op.result, [], paint));
  });
  return lines.join('\n');
}
