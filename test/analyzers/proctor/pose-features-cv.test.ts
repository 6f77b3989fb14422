import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSE_LENGTH, poseVector, ratioFeatures } from '../../../src/analyzers/proctor/features.js';
import { chooseK, type Sample } from '../../../src/analyzers/proctor/knn.js';
import { personMask, silhouetteBox } from '../../../src/analyzers/proctor/silhouette.js';
import { silentLogger } from '../../../src/log.js';
import { Detector } from '../../../src/models/detector.js';
import { defaultModelsDir } from '../../../src/models/manifest.js';
import { defaultModelsConfig } from '../../../src/models/model-config.js';
import type { RgbImage } from '../../../src/vision/image.js';

const PEOPLE = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'people');
const haveFixtures = existsSync(join(PEOPLE, 'ai-body.jpg'));
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const haveModels = existsSync(join(defaultModelsDir(), 'blazepose-full.onnx'));
const skip = !haveFixtures ? ` (skipped: fixtures absent at ${PEOPLE})` : !haveFfmpeg ? ' (skipped: no ffmpeg)' : !haveModels ? ' (skipped: models not built)' : '';
const W = 640;
const H = 400;
const FRAMES = 80;
const NORMAL = 40;
const T = 45;

/** Raw RGB frames from an ffmpeg filter graph over the fixtures (input 0 the landscape, 1 the woman). */
function render(graph: string, frames: number): RgbImage[] {
  const args = ['-v', 'error', '-loop', '1', '-i', join(PEOPLE, 'background.jpg'), '-loop', '1', '-i', join(PEOPLE, 'ai-body.jpg')];
  const r = spawnSync('ffmpeg', [...args, '-filter_complex', graph, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
  return Array.from({ length: frames }, (_, i) => ({ width: W, height: H, data: new Uint8Array(r.stdout.subarray(i * W * H * 3, (i + 1) * W * H * 3)) }));
}

/**
 * 80 frames of the rendered woman on the empty landscape at varied places: 0–39 upright within
 * ±`upright`°, 40–79 leaning `lean[0]`–`lean[1]`° to either side. The same composition as
 * silhouette-cv.test.ts, at two difficulties.
 */
function scene(upright: number, lean: [number, number]): RgbImage[] {
  const span = lean[1] - lean[0] + 1;
  const angle = `if(lt(n\\,${NORMAL})\\,(mod(n*7\\,${2 * upright + 1})-${upright})\\,if(mod(n\\,2)\\,1\\,-1)*(${lean[0]}+mod(n*7\\,${span})))*PI/180`;
  const graph = [
    `[0]scale=${W}:${H},setsar=1[bg]`,
    `[1]colorkey=0xF2F2F2:0.06:0.02,scale=-1:300,format=rgba,rotate=a='${angle}':c=none:ow=hypot(iw\\,ih):oh=ow[p]`,
    "[bg][p]overlay=x='40+mod(n*37\\,160)':y=-20:eval=frame",
  ].join(';');
  return render(graph, FRAMES);
}

const percent = (x: number) => `${(x * 100).toFixed(1)} %`;

describe.skipIf(skip !== '')(`the 18 ratios against the 18 ratios joined by the normalised pose vector${skip}`, () => {
  let detector: Detector;
  let background: RgbImage;
  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger() });
    [background] = render(`[0]scale=${W}:${H},setsar=1`, 1);
  }, 120_000);
  afterAll(() => detector?.close());

  /** Both feature sets of each frame: the ratios at T = 45 and the surest pose's vector (zeros where no pose was found). */
  async function samples(frames: RgbImage[]): Promise<{ ratios: Sample[]; joined: Sample[]; posesFound: number }> {
    const ratios: Sample[] = [];
    const joined: Sample[] = [];
    let posesFound = 0;
    for (const [i, img] of frames.entries()) {
      const label = i < NORMAL ? 'normal' : 'suspicious';
      const mask = personMask(img, background, T);
      const box = silhouetteBox(mask, 3);
      const r = box ? ratioFeatures(mask, box) : new Float32Array(18);
      const [pose] = (await detector.detectPoses(img)).sort((a, b) => b.score - a.score);
      const p = pose ? poseVector(pose.keypoints) : null;
      if (p) posesFound++;
      ratios.push({ features: r, label });
      joined.push({ features: [...r, ...(p ?? new Float32Array(POSE_LENGTH))], label });
    }
    return { ratios, joined, posesFound };
  }

  it.each([
    ['leaning 15–35° against upright ±5°', 5, [15, 35], 0.9],
    ['leaning 5–10° against upright ±3°', 3, [5, 10], 0.9],
    ['leaning 2–4° against upright ±1°', 1, [2, 4], 0.65],
  ] as const)(
    'compares both in 10-fold cross-validation: %s',
    async (name, upright, lean, floor) => {
      const { ratios, joined, posesFound } = await samples(scene(upright, [...lean]));
      const a = chooseK(ratios);
      const b = chooseK(joined);
      const line = (what: string, c: ReturnType<typeof chooseK>) =>
        `${what}: k=${c.best.k} ${percent(c.best.accuracy)} confusion ${JSON.stringify(c.best.confusion)}; per k ${c.results.map((r) => `${r.k}:${(r.accuracy * 100).toFixed(1)}`).join(' ')}`;
      console.info(`${name}, ${FRAMES} samples (${NORMAL}/${FRAMES - NORMAL}), poses found on ${posesFound}:\n${line('18 ratios', a)}\n${line('18 ratios + pose', b)}`);
      // The pose model must see the rendered woman on nearly every frame, or the comparison says nothing about the pose vector.
      expect(posesFound).toBeGreaterThanOrEqual(FRAMES * 0.9);
      // Both must do clearly better than the coin the labels' balance allows (0.5); the floor is lower where the lean is barely visible.
      expect(a.best.accuracy).toBeGreaterThan(floor);
      expect(b.best.accuracy).toBeGreaterThan(floor);
    },
    300_000,
  );
});
