import { describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { WeaponAnalyzer, nearestBox } from '../../src/analyzers/weapon/weapon.js';
import type { ObjectDetection } from '../../src/models/detection.js';
import type { Box } from '../../src/vision/iou.js';

const config = (over: Record<string, unknown> = {}) => analyzersSchema.parse({ weapon: over }).weapon;
const knife: ObjectDetection = { label: 'knife', score: 0.8, box: [100, 100, 140, 130] };
const person: Box = [80, 40, 200, 300];

describe('WeaponAnalyzer', () => {
  it('confirms a weapon only after N hits in the last M analyzed frames', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 2, confirm_frames: 3 }));
    expect(w.analyze([knife], [person])).toEqual([]); // 1 of 1
    expect(w.analyze([], [person])).toEqual([]); // 1 of 2
    const third = w.analyze([knife], [person]); // 2 of 3
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ kind: 'weapon', label: 'knife', score: 0.8, box: knife.box });
    expect(w.analyze([], [])).toEqual([]); // nothing to report in a frame without the knife
    expect(w.analyze([], [])).toEqual([]); // 1 of the last 3
    expect(w.analyze([knife], [])).toEqual([]); // 1 of 3 again: the old hit has left the window
  });

  it('with N = 1 reports the first frame', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, confirm_frames: 1 }));
    expect(w.analyze([knife], [])).toHaveLength(1);
  });

  it('ignores other labels, low scores and tiny boxes; takes user-model labels', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, min_score: 0.5, min_area: 200 }));
    expect(
      w
        .candidates([
          { label: 'fork', score: 0.9, box: [0, 0, 50, 50] },
          { label: 'knife', score: 0.4, box: [0, 0, 50, 50] },
          { label: 'knife', score: 0.9, box: [0, 0, 10, 10] },
          { label: 'pistol', score: 0.6, box: [0, 0, 30, 20] },
        ])
        .map((o) => o.label),
    ).toEqual(['pistol']);
  });

  it('records the person box the weapon is closest to', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1 }));
    const far: Box = [400, 40, 500, 300];
    const [d] = w.analyze([knife], [far, person]);
    expect(d.attributes?.person_box).toEqual(person);
    expect(w.analyze([knife], [])[0].attributes?.person_box).toBeNull();
  });

  it('forgets its hits on reset', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 2, confirm_frames: 3 }));
    w.analyze([knife], []);
    w.reset();
    expect(w.analyze([knife], [])).toEqual([]);
  });

  it('refuses more hits than frames', () => {
    expect(analyzersSchema.safeParse({ weapon: { confirm_hits: 4, confirm_frames: 3 } }).success).toBe(false);
  });
});

describe('nearestBox', () => {
  it('prefers the box holding most of the weapon, then the smallest gap', () => {
    const a: Box = [0, 0, 110, 200]; // holds a quarter of the knife
    const b: Box = [105, 0, 300, 200]; // holds most of it
    expect(nearestBox([100, 100, 140, 130], [a, b])).toEqual(b);
    expect(
      nearestBox(
        [500, 100, 520, 110],
        [
          [0, 0, 100, 100],
          [530, 0, 600, 100],
        ],
      ),
    ).toEqual([530, 0, 600, 100]);
  });
});
