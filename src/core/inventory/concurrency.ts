import { throwIfAborted } from "../cancellation";

/**
 * Runs `fn` over `items` with at most `limit` calls in flight, keeping the input order in the result.
 * Per-subscription reads (JIT policies, PIM policies, the SDK fallback) go through this so a tenant
 * with hundreds of subscriptions neither serialises nor opens hundreds of sockets at once.
 */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      throwIfAborted(signal);
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, () => worker());
  await Promise.all(workers);
  return results;
}

/** Collects an SDK paged iterator (`for await`) into an array. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
