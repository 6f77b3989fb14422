/**
 * `fn` over `items` with at most `limit` calls in flight, the results in the items' order.
 * Training's onnxruntime runs and sharp crops are async and run off the event loop, so two photos in
 * flight on one-thread sessions keep two cores busy better than one photo on a two-thread session
 * (docs/weapons.md, "The shipped model"). The first error stops further calls and is thrown.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane);
  const settled = await Promise.allSettled(lanes);
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
