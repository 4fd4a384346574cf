/** The first `n` items of a stream (fewer if it ends first); leaving the loop ends the stream. */
export async function firstOf<T>(stream: AsyncIterable<T>, n: number): Promise<T[]> {
  const out: T[] = [];
  if (n <= 0) return out;
  for await (const item of stream) {
    out.push(item);
    if (out.length === n) break;
  }
  return out;
}
