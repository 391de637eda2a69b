import { LineSplitter } from '../../src/transport/line-splitter';

describe('the line splitter of HTTP streams', () => {
  function split(chunks: string[]): { lines: string[]; rest: string } {
    const splitter = new LineSplitter();
    const lines: string[] = [];
    for (const chunk of chunks) splitter.push(Buffer.from(chunk), (line) => lines.push(line.toString()));
    return { lines, rest: splitter.rest().toString() };
  }

  it('cuts at newlines however the bytes were chunked', () => {
    const text = '{"a":1}\n{"b":2}\n\n{"c":3}\n';
    const whole = split([text]);
    expect(whole).toEqual({ lines: ['{"a":1}', '{"b":2}', '', '{"c":3}'], rest: '' });
    for (let size = 1; size < text.length; size++) {
      const chunks = text.match(new RegExp(`[\\s\\S]{1,${size}}`, 'g')) ?? [];
      expect(split(chunks)).toEqual(whole);
    }
  });

  it('keeps what follows the last newline as the rest: a last message, or a cut one', () => {
    expect(split(['{"a":1}\n{"b"', ':2}'])).toEqual({ lines: ['{"a":1}'], rest: '{"b":2}' });
  });

  it('joins a multi-byte character cut between chunks intact', () => {
    const bytes = Buffer.from('{"k":"é"}\n');
    const splitter = new LineSplitter();
    const lines: string[] = [];
    splitter.push(bytes.subarray(0, 7), (line) => lines.push(line.toString()));
    splitter.push(bytes.subarray(7), (line) => lines.push(line.toString()));
    expect(lines).toEqual(['{"k":"é"}']);
  });
});
