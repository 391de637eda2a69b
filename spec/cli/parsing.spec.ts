/** The CLI's pure parts: the argument parser, the raw command line, the txn format, how bytes and ids are shown. */
import { parseArgs, UsageError } from '../../src/cli/args';
import { argumentBytes, hasInvalidUtf8, userArguments } from '../../src/cli/command-line';
import { COLOURS, NO_COLOURS, Output, table, wantsColour } from '../../src/cli/output';
import { bytesJson, hexId, hexLeaseId, parseHexId, showBytes } from '../../src/cli/render';
import { parseTxn, TxnSyntaxError } from '../../src/cli/txn-format';

describe('the argument parser', () => {
  const spec = {
    positionals: [{ name: 'KEY' }, { name: 'END', optional: true }],
    flags: [
      { name: 'prefix', kind: 'boolean' as const, description: '' },
      { name: 'rev', kind: 'count' as const, placeholder: 'N', description: '' },
      { name: 'ttl', kind: 'count' as const, min: 1, description: '' },
      { name: 'servers', short: 's', aliases: ['endpoints'], kind: 'string' as const, description: '' },
      { name: 'output', short: 'o', shortAliases: ['w'], kind: 'string' as const, description: '' },
    ],
  };

  it('reads flags in every spelling, anywhere among the arguments', () => {
    const args = parseArgs(['--rev', '7', 'k', '-s', 'a,b', '--prefix'], spec);
    expect([args.positionals, args.count('rev'), args.text('servers'), args.bool('prefix')]).toEqual([['k'], 7, 'a,b', true]);
    expect(parseArgs(['k', '--rev=8', '--endpoints=x'], spec).count('rev')).toBe(8);
    expect(parseArgs(['k', '--endpoints=x'], spec).text('servers')).toBe('x');
    expect(parseArgs(['k'], spec).has('rev')).toBe(false);
    expect(parseArgs(['k', '-w', 'json'], spec).text('output')).toBe('json');
    expect(parseArgs(['k', '--ttl', '1'], spec).count('ttl')).toBe(1);
  });

  it('takes "-" as an argument and everything after "--" as arguments', () => {
    expect(parseArgs(['-', '--', '--prefix'], spec).positionals).toEqual(['-', '--prefix']);
    const withRest = parseArgs(['name', '--', 'sh', '-c', 'echo hi'], { ...spec, rest: 'COMMAND' });
    expect([withRest.positionals, withRest.rest]).toEqual([['name'], ['sh', '-c', 'echo hi']]);
    expect(parseArgs(['name'], { ...spec, rest: 'COMMAND' }).rest).toBeUndefined();
  });

  it.each([
    [['k', '--nope'], 'unknown option --nope'],
    [['k', '-x'], 'unknown option -x'],
    [['k', '-5'], 'unknown option -5 (put -- before arguments that start with -)'],
    [['k', '--prefix=yes'], '--prefix takes no value'],
    [['k', '--rev'], '--rev needs a value (N)'],
    [['k', '--rev', '-1'], '--rev must be a whole number ≥ 0, got "-1"'],
    [['k', '--rev', '1.5'], '--rev must be a whole number ≥ 0, got "1.5"'],
    [['k', '--rev', '1', '--rev', '2'], '--rev is given twice'],
    [['k', '--ttl', '0'], '--ttl must be a whole number ≥ 1, got "0"'],
    [['k', '--ttl', 'abc'], '--ttl must be a whole number ≥ 1, got "abc"'],
    [['k', '-o', 'json', '-w', 'json'], '-w is given twice'],
    [[], 'missing KEY'],
    [['a', 'b', 'c', 'd'], 'unexpected arguments "c" "d"'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseArgs(argv, spec)).toThrow(new UsageError(message));
  });
});

describe('the txn format', () => {
  const wire = (script: string) =>
    JSON.parse(JSON.stringify(parseTxn(script).request)) as {
      compare: Record<string, unknown>[];
      success: Record<string, unknown>[];
      failure: Record<string, unknown>[];
    };
  const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

  it("reads etcdctl's three sections, every compare target and operator, and each operation's options", () => {
    const parsed = wire(
      [
        '# comment',
        'mod("a") > "0"',
        'm(a) != 3',
        'value("b") = "x y"',
        'val(b) == z',
        'version("c") < "2"',
        'ver(c) = 0',
        'create("d") = "5"',
        'c(d) > 1',
        'lease("e") = "694d77aa9e38260b"',
        '',
        'put a "1 2" --lease=694d77aa9e38260b --prev-kv',
        'del p/ --prefix',
        'delete a z',
        '',
        'get a --prefix --limit=2 --rev=9 --keys-only',
        'get b --count-only --from-key',
      ].join('\n'),
    );
    expect(parsed.compare.map((c) => c.wire)).toEqual([
      { key: b64('a'), result: 'GREATER', target: 'MOD', mod_revision: 0 },
      { key: b64('a'), result: 'NOT_EQUAL', target: 'MOD', mod_revision: 3 },
      { key: b64('b'), result: 'EQUAL', target: 'VALUE', value: b64('x y') },
      { key: b64('b'), result: 'EQUAL', target: 'VALUE', value: b64('z') },
      { key: b64('c'), result: 'LESS', target: 'VERSION', version: 2 },
      { key: b64('c'), result: 'EQUAL', target: 'VERSION', version: 0 },
      { key: b64('d'), result: 'EQUAL', target: 'CREATE', create_revision: 5 },
      { key: b64('d'), result: 'GREATER', target: 'CREATE', create_revision: 1 },
      { key: b64('e'), result: 'EQUAL', target: 'LEASE', lease: '7587852521871779339' },
    ]);
    expect(parsed.success.map((o) => o.wire)).toEqual([
      { request_put: { key: b64('a'), value: b64('1 2'), lease: '7587852521871779339', prev_kv: true } },
      { request_delete_range: { key: b64('p/'), range_end: b64('p0') } },
      { request_delete_range: { key: b64('a'), range_end: b64('z') } },
    ]);
    expect(parsed.failure.map((o) => o.wire)).toEqual([
      { request_range: { key: b64('a'), range_end: b64('b'), limit: 2, revision: 9, keys_only: true } },
      { request_range: { key: b64('b'), range_end: b64(Buffer.from([0])), count_only: true } },
    ]);
  });

  it('says how each operation prints its result: as plain get with the same flags', () => {
    const plain = { keysOnly: false, countOnly: false };
    expect(parseTxn('\nput a 1\nget a --keys-only\n\nget a --count-only\ndel a').printing).toEqual({
      success: [plain, { keysOnly: true, countOnly: false }],
      failure: [{ keysOnly: false, countOnly: true }, plain],
    });
  });

  it('reads "" with --from-key as every key, as etcdctl does, and refuses "" alone', () => {
    expect(wire('\nget "" --from-key').success[0].wire).toEqual({ request_range: { key: b64(Buffer.from([0])), range_end: b64(Buffer.from([0])) } });
    expect(() => parseTxn('\nget ""')).toThrow('txn line 2: KEY must not be empty (use "" with --prefix or --from-key for every key)');
  });

  it('writes any bytes through quoted escapes, and takes missing sections as empty', () => {
    const parsed = wire('\nput "k\\x00\\"q\\"" "\\xff\\n\\t\\\\"\n');
    expect(parsed.compare).toEqual([]);
    expect(parsed.success[0].wire).toEqual({ request_put: { key: b64(Buffer.from('k\u0000"q"')), value: b64(Buffer.from([0xff, 0x0a, 0x09, 0x5c])) } });
    expect(parsed.failure).toEqual([]);
    expect(wire('')).toEqual({ compare: [], success: [], failure: [] });
  });

  it.each([
    ['valu("a") = "1"', 'txn line 1: unknown compare target "valu" (expected value, version, create, mod or lease)'],
    ['value("a") ~ "1"', 'txn line 1: expected an operator (=, !=, <, >) at column 12'],
    ['value("a" = "1"', 'txn line 1: expected ")" at column 11'],
    ['version("a") = "x"', 'txn line 1: version must be a whole number ≥ 0, got "x"'],
    ['value("a") = "1" extra', 'txn line 1: unexpected "extra"'],
    ['value("a) = 1', 'txn line 1: unterminated string starting at column 7'],
    ['\nput a', 'txn line 2: expected put KEY VALUE, got 1 argument(s)'],
    ['\nfrob a', 'txn line 2: unknown operation "frob" (expected get, put or del)'],
    ['\nget a --bogus', 'txn line 2: unknown option --bogus'],
    ['\nget a z --prefix', 'txn line 2: END and --prefix cannot be used together'],
    ['\nput a "\\q"', 'txn line 2: unknown escape "\\q" at column 8 (known: \\" \\\\ \\n \\t \\r \\xNN)'],
    ['\nput a b --lease=zz', 'txn line 2: lease ID must be hexadecimal (as etcdctl prints it), got "zz"'],
    ['a\n\nb\n\nc\n\nd', 'txn line 7: a transaction has at most three sections (compares, success, failure), separated by one blank line each'],
  ])('refuses %j', (script, message) => {
    expect(() => parseTxn(script)).toThrow(TxnSyntaxError);
    expect(() => parseTxn(script)).toThrow(new Error(message));
  });
});

describe('the command line, byte for byte', () => {
  const cmdline =
    (...entries: (string | number[])[]) =>
    () =>
      Buffer.concat(entries.map((e) => Buffer.concat([Buffer.from(e), Buffer.from([0])])));
  // What Node makes of `main.js put $'k\xff' v`: the byte it could not decode is U+FFFD.
  const argv = ['node', 'main.js', 'put', 'k\ufffd', 'v'];

  it('takes an argument that was not valid UTF-8 from /proc/self/cmdline, and gives its exact bytes', () => {
    const args = userArguments(argv, cmdline('node', 'main.js', 'put', [0x6b, 0xff], 'v'));
    expect(args).toEqual(['put', 'k\udcff', 'v']);
    expect([argumentBytes(args[1]), hasInvalidUtf8(args[1])]).toEqual([Buffer.from([0x6b, 0xff]), true]);
    expect([argumentBytes(args[0]), hasInvalidUtf8(args[0])]).toEqual(['put', false]);
    // Node's own options come before the script, and an empty argument is an entry too.
    expect(userArguments(['node', 'main.js', '', 'é\ufffd\ufffd'], cmdline('node', '--no-warnings', 'main.js', '', [0xc3, 0xa9, 0xe2, 0x82, 0xff]))).toEqual([
      '',
      'é\udce2\udc82\udcff',
    ]);
    // An emoji whose second half lies in the range of escaped bytes is valid, and stays text.
    expect(['💩', '📦 box', 'k😀'].map((arg) => [hasInvalidUtf8(arg), argumentBytes(arg)])).toEqual([
      [false, '💩'],
      [false, '📦 box'],
      [false, 'k😀'],
    ]);
    expect(argumentBytes('é\udce2\udc82\udcff😀')).toEqual(Buffer.concat([Buffer.from([0xc3, 0xa9, 0xe2, 0x82, 0xff]), Buffer.from('😀')]));
  });

  it('keeps the arguments as Node gives them when they were valid, or cmdline is unreadable or does not match', () => {
    expect(userArguments(['node', 'main.js', 'put', 'k\ufffd', 'v'], cmdline('node', 'main.js', 'put', 'k\ufffd', 'v'))).toEqual(['put', 'k\ufffd', 'v']);
    const unreadable = () => {
      throw new Error('ENOENT');
    };
    expect(userArguments(argv, unreadable)).toEqual(['put', 'k\ufffd', 'v']);
    expect(userArguments(argv, cmdline('node', 'main.js', 'put', [0x6a, 0xff], 'v'))).toEqual(['put', 'k\ufffd', 'v']);
    expect(userArguments(argv, cmdline('put', [0x6b, 0xff]))).toEqual(['put', 'k\ufffd', 'v']);
    expect(userArguments(['node', 'main.js', 'get', 'k'], unreadable)).toEqual(['get', 'k']);
  });
});

describe('how bytes, ids and tables are shown', () => {
  it('shows printable UTF-8 as it is, and anything else quoted with escapes', () => {
    expect(showBytes(Buffer.from('héllo wörld ✓'))).toBe('héllo wörld ✓');
    expect(showBytes(Buffer.from('two\nlines\tand tab'), { multiline: true })).toBe('two\nlines\tand tab');
    expect(showBytes(Buffer.from('two\nlines'))).toBe('"two\\nlines"');
    expect(showBytes(Buffer.from('\u001b[31mred'))).toBe('"\\x1b[31mred"');
    expect(showBytes(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xc3, 0x22, 0x5c]))).toBe('"a\\xffé\\xc3\\"\\\\"');
    expect(showBytes(Buffer.from('\u0085next line'))).toBe('"\\xc2\\x85next line"');
    expect(showBytes(Buffer.alloc(0))).toBe('');
    expect(showBytes(Buffer.from([0xe2, 0x82]))).toBe('"\\xe2\\x82"');
  });

  it('gives JSON text for UTF-8 and base64 otherwise', () => {
    expect(bytesJson('value', Buffer.from('ok'))).toEqual({ value: 'ok' });
    expect(bytesJson('value', Buffer.from([0xff]))).toEqual({ valueBase64: '/w==' });
    // A leading byte order mark is part of the value: it is kept, not dropped.
    expect(bytesJson('value', Buffer.from('\ufeffok'))).toEqual({ value: '\ufeffok' });
  });

  it('shows ids in hex and reads them back, as etcdctl does', () => {
    expect(hexId('7587852521871779339')).toBe('694d77aa9e38260b');
    expect(hexId('0')).toBe('0');
    expect(hexId('18446744073709551615')).toBe('ffffffffffffffff');
    expect(hexLeaseId('833625604768524322')).toBe('0b91a2121fe5e822');
    expect(hexLeaseId('0')).toBe('0');
    expect(parseHexId('694d77aa9e38260b', 'ID')).toBe('7587852521871779339');
    expect(parseHexId('0x694D77AA9E38260B', 'ID')).toBe('7587852521871779339');
    expect(() => parseHexId('12345678901234567', 'ID')).toThrow(UsageError);
    expect(() => parseHexId('-1', 'ID')).toThrow('ID must be hexadecimal (as etcdctl prints it), got "-1"');
  });

  it('colours only a terminal, and never with NO_COLOR', () => {
    expect(wantsColour({ write: () => true, isTTY: true }, {})).toBe(true);
    expect(wantsColour({ write: () => true, isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour({ write: () => true, isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(wantsColour({ write: () => true }, {})).toBe(false);
    let written = '';
    new Output({ write: (t: string) => (written += t) }, 'text', true).emit({}, (paint) => paint.red('x'));
    expect(written).toBe('\u001b[31mx\u001b[39m\n');
    written = '';
    new Output({ write: (t: string) => (written += t) }, 'json', true).emit({ a: 1 }, (paint) => paint.red('x'));
    expect(written).toBe('{"a":1}\n');
  });

  it('aligns tables on what is visible, colour codes aside', () => {
    expect(
      table(
        [
          ['A', 'B'],
          [COLOURS.green('yes'), 'x'],
          ['no', 'y'],
        ],
        NO_COLOURS,
      ),
    ).toBe('A    B\n\u001b[32myes\u001b[39m  x\nno   y');
  });
});
