import { describe, expect, it } from 'vitest';
import { PoseSaveError, savePoseFromImage } from '../../../src/analyzers/pose/reference-poses.js';
import type { Keypoint, PoseDetection } from '../../../src/models/detection.js';
import { openDatabase } from '../../../src/store/database.js';
import { PoseLibrary } from '../../../src/store/poses.js';

const at = (name: string, x: number, y: number): Keypoint => ({ name, x, y, score: 0.9 });
/** A detector that finds one body with these keypoints in any picture. */
const detecting = (keypoints: Keypoint[]) => ({
  has: () => false,
  detectObjects: async () => [],
  detectPoses: async (): Promise<PoseDetection[]> => [{ score: 0.9, box: [0, 0, 100, 200], keypoints }],
});
const torso = [at('left_shoulder', 60, 50), at('right_shoulder', 40, 50), at('left_hip', 55, 120), at('right_hip', 45, 120)];
const img = { width: 100, height: 200, data: new Uint8Array(100 * 200 * 3) };

describe('saving a pose', () => {
  it('refuses a body with fewer bones seen than a comparison needs (it would never match), saying how many', async () => {
    const library = new PoseLibrary(openDatabase(':memory:'));
    const deps = { library, model: 'blazepose', minKeypointScore: 0.5, now: () => 0 };
    // the torso and one upper arm: 2 bones
    const little = savePoseFromImage({ ...deps, detector: detecting([...torso, at('left_elbow', 70, 80)]) }, 'wave', img, 0.7);
    await expect(little).rejects.toBeInstanceOf(PoseSaveError);
    await expect(little).rejects.toThrow(/only 2 of the body's 9 bones .* are clearly seen; a pose is compared on at least 4/);
    expect(library.list()).toEqual([]);
    // and both arms: 5 bones, saved
    const arms = [at('left_elbow', 70, 30), at('left_wrist', 75, 5), at('right_elbow', 30, 30), at('right_wrist', 25, 5)];
    await expect(savePoseFromImage({ ...deps, detector: detecting([...torso, ...arms]) }, 'hands_up', img, 0.7)).resolves.toMatchObject({ name: 'hands_up' });
  });
});
