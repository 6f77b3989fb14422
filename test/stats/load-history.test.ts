import { describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { LoadHistory } from '../../src/stats/load-history.js';
import { Stats } from '../../src/stats/stats.js';

describe('LoadHistory', () => {
  it("keeps the last samples of each camera's rates and the inference time, oldest first", () => {
    let now = 1_000_000;
    const stats = new Stats({ cameras: ['door'], kinds: new EventKinds(ANALYZERS), now: () => now });
    const history = new LoadHistory({ report: () => stats.report(), size: 3 });
    for (let i = 0; i < 5; i++) {
      stats.record('centernet', 10 * (i + 1));
      now += 1000;
      history.sample();
    }
    const samples = history.samples();
    expect(samples.map((s) => s.time)).toEqual([1_003_000, 1_004_000, 1_005_000]);
    expect(Object.keys(samples[0].cameras)).toEqual(['door']);
    expect(samples[0].cameras.door).toEqual({
      motion_fps: expect.any(Number),
      analyzed_fps: expect.any(Number),
      essential_fps: expect.any(Number),
      skipped_fps: expect.any(Number),
    });
    // Five runs of 10…50 ms: the median of what is held is 30 ms.
    expect(samples.at(-1)?.inference_ms.p50).toBe(30);
  });
});
