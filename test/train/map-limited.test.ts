import { describe, expect, it } from 'vitest';
import { mapLimited } from '../../src/train/map-limited.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapLimited', () => {
  it('keeps the items order whatever order the calls finish in', async () => {
    const out = await mapLimited([30, 5, 20, 1, 10], 3, async (ms, i) => {
      await tick(ms);
      return `${i}:${ms}`;
    });
    expect(out).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10']);
  });

  it('never has more than the limit in flight, and uses it', async () => {
    let now = 0;
    let most = 0;
    await mapLimited(
      Array.from({ length: 9 }, (_, i) => i),
      2,
      async (i) => {
        most = Math.max(most, ++now);
        await tick(i % 3);
        now--;
      },
    );
    expect(most).toBe(2);
  });

  it('stops starting calls after one fails and throws its error', async () => {
    const started: number[] = [];
    await expect(
      mapLimited([0, 1, 2, 3, 4, 5], 2, async (i) => {
        started.push(i);
        await tick(1);
        if (i === 1) throw new Error('bad photo 1');
        return i;
      }),
    ).rejects.toThrow('bad photo 1');
    expect(started.length).toBeLessThan(6);
  });

  it('runs one at a time with a limit of 1 and handles no items', async () => {
    const order: string[] = [];
    await mapLimited(['a', 'b'], 1, async (x) => {
      order.push(`start ${x}`);
      await tick(2);
      order.push(`end ${x}`);
    });
    expect(order).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(await mapLimited([], 4, async () => 1)).toEqual([]);
  });
});
