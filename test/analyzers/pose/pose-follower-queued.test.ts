import { describe, expect, it } from 'vitest';
import { PoseFollower } from '../../../src/analyzers/pose/pose-follower.js';
import type { PoseDetection } from '../../../src/models/detection.js';
import { rgbImage } from '../../../src/vision/image.js';
import { heldCall, tick } from '../../helpers/held-call.js';
import type { Box } from '../../../src/vision/iou.js';

const img = rgbImage(64, 64, new Uint8Array(64 * 64 * 3));
describe('the pose follower queues the detector for new people beside the following', () => {
  it('the pose follower runs the detector for a new person while the known one is followed', async () => {
    const follow = heldCall<(PoseDetection | undefined)[]>();
    const detect = heldCall<PoseDetection[]>();
    const follower = new PoseFollower({ followPoses: follow.call, detectPoses: detect.call } as never);
    const person: Box = [0, 0, 20, 40];
    const pose: PoseDetection = { score: 0.9, box: person, keypoints: [], roi: { cx: 10, cy: 20, side: 40, rotation: 0 } };
    // frame 1: one person, found by the detector
    const first = follower.find(img, [person], 0);
    await tick();
    detect.answerAll([pose]);
    expect(await first).toHaveLength(1);
    // frame 2: that person (followed) and a new one (detected): both asked before either answers
    const second = follower.find(img, [person, [40, 0, 60, 40]], 200);
    await tick();
    expect([follow.calls, detect.calls]).toEqual([1, 1]);
    follow.answerAll([pose]);
    detect.answerAll([{ ...pose, box: [0, 0, 20, 40] }]);
    expect(await second).toHaveLength(2);
  });
});
