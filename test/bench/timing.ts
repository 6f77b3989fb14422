/** Milliseconds of each of `runs` calls after `warmup` untimed ones. */
export async function time(work: () => Promise<unknown> | unknown, runs: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await work();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await work();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Times two contenders in alternating blocks: `rounds` blocks each, `runs / rounds` timed calls a
 * block after `warmup` untimed ones, the order flipped every round. This machine's speed drifts
 * by up to 2× from minute to minute, so two blocks timed one after the other measure the minute as
 * much as the code; alternating spreads both over the same minutes. The per-block warm-up absorbs
 * what one side leaves behind for the other (caches, a just-woken thread): timed call by call
 * instead, whichever ran second slowed (blazeface-back 5–6 → 7–8 ms).
 */
export async function timePaired(
  a: () => Promise<unknown> | unknown,
  b: () => Promise<unknown> | unknown,
  runs: number,
  warmup: number,
  rounds: number,
): Promise<[number[], number[]]> {
  const [ta, tb] = await timeInTurns([a, b], runs, warmup, rounds);
  return [ta, tb];
}

/** `timePaired` for any number of contenders: each round runs a block of each, the order reversed every other round. */
export async function timeInTurns(works: readonly (() => Promise<unknown> | unknown)[], runs: number, warmup: number, rounds: number): Promise<number[][]> {
  const times: number[][] = works.map(() => []);
  const perBlock = Math.max(1, Math.round(runs / rounds));
  const order = works.map((_, i) => i);
  for (let r = 0; r < rounds; r++) {
    for (const i of r % 2 === 0 ? order : [...order].reverse()) times[i].push(...(await time(works[i], perBlock, warmup)));
  }
  return times;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
