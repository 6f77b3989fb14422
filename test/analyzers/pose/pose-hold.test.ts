import { describe, expect, it } from 'vitest';
import { PoseHold } from '../../../src/analyzers/pose/pose-hold.js';
import type { Box } from '../../../src/vision/iou.js';

const A: Box = [0, 0, 100, 200];
const B: Box = [300, 0, 400, 200];

/** One body's labels over frames 200 ms apart. */
function run(hold: PoseHold, matches: Array<string | null>, box: Box = A): Array<string | null> {
  return matches.map((match, i) => hold.update([{ box, match }], i * 200)[0]);
}

describe('PoseHold', () => {
  it('shows a saved pose once matched in 2 of the last 3 frames, not on one frame alone', () => {
    expect(run(new PoseHold(2, 3), ['hands_up', null, null, null])).toEqual([null, null, null, null]);
    expect(run(new PoseHold(2, 3), ['hands_up', null, 'hands_up', 'hands_up'])).toEqual([null, null, 'hands_up', 'hands_up']);
  });

  it('keeps it while matched in any of the last 3 frames: a body near the threshold does not flicker', () => {
    expect(run(new PoseHold(2, 3), ['hands_up', 'hands_up', null, 'hands_up', null, null, null])).toEqual([null, 'hands_up', 'hands_up', 'hands_up', 'hands_up', 'hands_up', null]);
  });

  it('holds one pose while a body switches between two saved ones frame by frame', () => {
    expect(run(new PoseHold(2, 3), ['a', 'b', 'a', 'b', 'a', 'b'])).toEqual([null, null, 'a', 'a', 'a', 'a']);
  });

  it('follows each body by its box, and forgets one gone for 1.5 s', () => {
    const hold = new PoseHold(2, 3);
    hold.update(
      [
        { box: A, match: 'x' },
        { box: B, match: null },
      ],
      0,
    );
    expect(
      hold.update(
        [
          { box: B, match: null },
          { box: A, match: 'x' },
        ],
        200,
      ),
    ).toEqual([null, 'x']);
    expect(hold.update([{ box: A, match: null }], 1600)).toEqual(['x']); // 1.4 s unseen: the same body, still matched in its last 3
    expect(hold.update([{ box: B, match: 'x' }], 3000)).toEqual([null]); // B unseen for 2.8 s: forgotten, its count starts again
    expect(hold.update([{ box: A, match: 'x' }], 3400)).toEqual([null]); // and A, unseen for 1.8 s
  });

  it('with 1 of 1, judges every frame alone (a photo)', () => {
    expect(run(new PoseHold(1, 1), ['a', null, 'b'])).toEqual(['a', null, 'b']);
  });
});
