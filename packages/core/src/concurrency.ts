// Bounded parallelism with results kept in input order; one item's failure never hides the others.
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function mapConcurrent<I, O>(
  items: readonly I[],
  limit: number,
  fn: (item: I, index: number) => Promise<O>,
  opts: { bail?: () => boolean } = {},
): Promise<Settled<O>[]> {
  const results: Settled<O>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      if (opts.bail?.()) {
        results[i] = { ok: false, error: new Error('skipped: an earlier project failed (--bail)') };
        continue;
      }
      try {
        results[i] = { ok: true, value: await fn(items[i]!, i) };
      } catch (error) {
        results[i] = { ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
