/** Reading a whole input stream, for `VALUE -` and transaction scripts. */

/**
 * Every byte of `stream` until its end.
 * @example const value = await readAll(process.stdin)
 */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks);
}
