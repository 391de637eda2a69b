/**
 * Where results go: readable text (coloured only on a terminal, and never when `NO_COLOR` is
 * set) or, with `--output json`, one JSON object per line for scripts.
 */

/**
 * The output formats: `text` (etcdctl's `simple`), `json`, and etcdctl's `table` and `fields`,
 * which commands without a table or fields form print as text, as etcdctl does.
 */
export type OutputFormat = 'text' | 'json' | 'table' | 'fields';

/** Colours for readable output; each is the identity when colour is off. */
export interface Paint {
  readonly bold: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly red: (text: string) => string;
  readonly green: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly cyan: (text: string) => string;
}

/** Something to write text to (process.stdout, process.stderr). */
export interface TextSink {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;
const plain = (text: string) => text;

/** Paint that colours. */
export const COLOURS: Paint = { bold: ansi(1, 22), dim: ansi(2, 22), red: ansi(31, 39), green: ansi(32, 39), yellow: ansi(33, 39), cyan: ansi(36, 39) };
/** Paint that leaves text as it is. */
export const NO_COLOURS: Paint = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain };

/**
 * Whether to colour what goes to `sink`: only a terminal, and only when `NO_COLOR` is unset or
 * empty (no-color.org).
 * @example wantsColour(process.stdout, process.env)
 */
export function wantsColour(sink: TextSink, env: NodeJS.ProcessEnv): boolean {
  return sink.isTTY === true && (env.NO_COLOR ?? '') === '';
}

/**
 * Prints results in the chosen format.
 * @example new Output(process.stdout, 'json', false).emit({ revision: 7 }, () => 'OK')
 */
export class Output {
  /** The colours of text output. */
  readonly paint: Paint;

  constructor(
    private readonly sink: TextSink,
    readonly format: OutputFormat,
    colour: boolean,
  ) {
    this.paint = colour && format !== 'json' ? COLOURS : NO_COLOURS;
  }

  /**
   * Prints one result: `json` as one line in JSON mode, else the text `text` makes (nothing
   * when it makes the empty string).
   */
  emit(json: object, text: (paint: Paint) => string): void {
    if (this.format === 'json') {
      this.sink.write(`${JSON.stringify(json)}\n`);
      return;
    }
    this.raw(text(this.paint));
  }

  /** Prints text as it is, whatever the format, followed by a newline (nothing when it is empty). */
  raw(text: string): void {
    if (text !== '') this.sink.write(`${text}\n`);
  }

  /** Prints several results: one JSON line each in JSON mode, else the one text `text` makes (a table). */
  list(json: readonly object[], text: (paint: Paint) => string): void {
    if (this.format === 'json') json.forEach((item) => this.emit(item, () => ''));
    else this.emit({}, text);
  }

  /** Prints lines of text in text mode only (headings, notes that JSON has no place for). */
  note(text: (paint: Paint) => string): void {
    if (this.format !== 'json') this.sink.write(`${text(this.paint)}\n`);
  }
}

/**
 * Lays rows out in columns separated by two spaces, the first row as a bold heading.
 * @example table([['ID', 'NAME'], ['8e9e05c52164694d', 'default']], paint)
 */
export function table(rows: readonly (readonly string[])[], paint: Paint): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => visibleLength(row[column] ?? ''))));
  return rows
    .map((row, i) => {
      const line = row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat(widths[column] - visibleLength(cell)))).join('  ');
      return i === 0 ? paint.bold(line.trimEnd()) : line.trimEnd();
    })
    .join('\n');
}

function visibleLength(text: string): number {
  return text.replace(/\u001b\[\d+m/g, '').length;
}
