import { describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { ARMED_PERSON, WeaponAnalyzer, nearestBox } from '../../src/analyzers/weapon/weapon.js';
import type { ObjectDetection } from '../../src/models/detection.js';
import type { Box } from '../../src/vision/iou.js';

const config = (over: Record<string, unknown> = {}) => analyzersSchema.parse({ weapon: over }).weapon;
const knife: ObjectDetection = { label: 'knife', score: 0.95, box: [100, 100, 140, 130] };
const person: Box = [80, 40, 200, 300];

describe('WeaponAnalyzer', () => {
  it('confirms a weapon only after N hits in the last M analyzed frames', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 2, confirm_frames: 3 }));
    expect(w.analyze([knife], [{ box: person }])).toEqual([]); // 1 of 1
    expect(w.analyze([], [{ box: person }])).toEqual([]); // 1 of 2
    const third = w.analyze([knife], [{ box: person }]); // 2 of 3
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ kind: 'weapon', label: 'knife', score: 0.95, box: knife.box });
    expect(w.analyze([], [])).toEqual([]); // nothing to report in a frame without the knife
    expect(w.analyze([], [])).toEqual([]); // 1 of the last 3
    expect(w.analyze([knife], [{ box: person }])).toEqual([]); // 1 of 3 again: the old hit has left the window
  });

  it('needs more frames for a weapon far from anybody', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 2, confirm_frames: 3, alone_confirm_hits: 3, alone_confirm_frames: 4 }));
    const far = [{ box: [400, 40, 500, 300] as Box }];
    expect(w.analyze([knife], far)).toEqual([]);
    expect(w.analyze([knife], far)).toEqual([]); // 2 of 2 would confirm a held weapon, not a lone one
    const third = w.analyze([knife], far);
    expect(third).toHaveLength(1);
    expect(third[0].attributes).toMatchObject({ hits: 3, frames: 3, armed_person: false });
  });

  it('a weapon at a wrist scores higher and names the person', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, confirm_frames: 1, thresholds: { knife: 0.6 }, wrist_boost: 0.3 }));
    const weak: ObjectDetection = { ...knife, score: 0.5 };
    // no pose: 0.5 stays under the knife's 0.6
    expect(w.analyze([weak], [{ box: person }])).toEqual([]);
    const wrist = { name: 'right_wrist', x: 138, y: 128, score: 0.9 };
    const [d] = w.analyze([weak], [{ box: person, keypoints: [wrist, { name: 'nose', x: 140, y: 60, score: 0.9 }] }]);
    expect(d.score).toBeCloseTo(0.5 + 0.5 * 0.3, 6);
    expect(d.sub_label).toBe(ARMED_PERSON);
    expect(d.attributes).toMatchObject({ armed_person: true, wrist: 'right_wrist', detector_score: 0.5, person_box: person });
    // a wrist far from the knife does not count
    const away = { ...wrist, x: 190, y: 290 };
    expect(w.analyze([weak], [{ box: person, keypoints: [away] }])).toEqual([]);
  });

  it('takes a threshold per label', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, wrist_boost: 0, thresholds: { pistol: 0.3, knife: 0.97 } }));
    const pistol: ObjectDetection = { label: 'pistol', score: 0.35, box: [0, 0, 30, 20] };
    expect(w.candidates([pistol, knife]).map((o) => o.label)).toEqual(['pistol']);
  });

  it('only runs the pose for people next to a candidate', () => {
    const w = new WeaponAnalyzer(config({}));
    const far: Box = [400, 40, 500, 300];
    expect(w.needsPose([knife], [far, person])).toEqual([person]);
    expect(w.needsPose([], [far, person])).toEqual([]);
    expect(new WeaponAnalyzer(config({ wrist_boost: 0 })).needsPose([knife], [person])).toEqual([]);
  });

  it('with N = 1 reports the first frame', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, confirm_frames: 1, alone_confirm_hits: 1, alone_confirm_frames: 1 }));
    expect(w.analyze([knife], [])).toHaveLength(1);
  });

  it('ignores other labels, low scores and tiny boxes; takes user-model labels', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, min_area: 200, wrist_boost: 0, labels: ['knife', 'pistol'], thresholds: { knife: 0.5, pistol: 0.5 } }));
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
    const w = new WeaponAnalyzer(config({ confirm_hits: 1, alone_confirm_hits: 1 }));
    const far: Box = [400, 40, 500, 300];
    const [d] = w.analyze([knife], [{ box: far }, { box: person }]);
    expect(d.attributes?.person_box).toEqual(person);
    expect(w.analyze([knife], [])[0].attributes?.person_box).toBeNull();
  });

  it('forgets its hits on reset', () => {
    const w = new WeaponAnalyzer(config({ confirm_hits: 2, confirm_frames: 3 }));
    w.analyze([knife], [{ box: person }]);
    w.reset();
    expect(w.analyze([knife], [{ box: person }])).toEqual([]);
    expect(w.analyze([knife], [{ box: person }])).toHaveLength(1); // the second hit after the reset
  });

  it('refuses more hits than frames', () => {
    expect(analyzersSchema.safeParse({ weapon: { confirm_hits: 4, confirm_frames: 3 } }).success).toBe(false);
    expect(analyzersSchema.safeParse({ weapon: { alone_confirm_hits: 7, alone_confirm_frames: 6 } }).success).toBe(false);
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
