import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ratioFeatures } from '../../../src/analyzers/proctor/features.js';
import { chooseK, type Sample } from '../../../src/analyzers/proctor/knn.js';
import { personMask, silhouetteBox } from '../../../src/analyzers/proctor/silhouette.js';
import type { RgbImage } from '../../../src/vision/image.js';

const PEOPLE = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'fixtures', 'people');
const haveFixtures = existsSync(join(PEOPLE, 'ai-body.jpg'));
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const W = 640;
const H = 400;
const FRAMES = 80;
/** Frames 0–39 upright (within ±5°), 40–79 leaning 15–35° to either side: a candidate bending towards a neighbour. */
const NORMAL = 40;

/** Raw RGB frames from an ffmpeg filter graph over the fixtures (input 0 the landscape, 1 the woman). */
function render(graph: string, frames: number): RgbImage[] {
  const args = ['-v', 'error', '-loop', '1', '-i', join(PEOPLE, 'background.jpg'), '-loop', '1', '-i', join(PEOPLE, 'ai-body.jpg')];
  const r = spawnSync('ffmpeg', [...args, '-filter_complex', graph, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], { maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
  return Array.from({ length: frames }, (_, i) => ({ width: W, height: H, data: new Uint8Array(r.stdout.subarray(i * W * H * 3, (i + 1) * W * H * 3)) }));
}

describe.skipIf(!haveFixtures || !haveFfmpeg)(
  `the reference method on silhouettes composed from the fixtures${haveFixtures ? '' : ` (skipped: fixtures absent at ${PEOPLE})`}`,
  () => {
    it('tells upright from leaning silhouettes in 10-fold cross-validation', () => {
      const angle = `if(lt(n\\,${NORMAL})\\,mod(n*7\\,11)-5\\,if(mod(n\\,2)\\,1\\,-1)*(15+mod(n*7\\,21)))*PI/180`;
      const graph = [
        `[0]scale=${W}:${H},setsar=1[bg]`,
        `[1]colorkey=0xF2F2F2:0.06:0.02,scale=-1:300,format=rgba,rotate=a='${angle}':c=none:ow=hypot(iw\\,ih):oh=ow[p]`,
        "[bg][p]overlay=x='40+mod(n*37\\,160)':y=-20:eval=frame",
      ].join(';');
      const frames = render(graph, FRAMES);
      const [background] = render(`[0]scale=${W}:${H},setsar=1`, 1);
      const figures: string[] = [];
      let atT45 = 0;
      for (const threshold of [25, 45, 60]) {
        const samples: Sample[] = frames.map((img, i) => {
          const mask = personMask(img, background, threshold);
          const box = silhouetteBox(mask, 3);
          return { features: box ? ratioFeatures(mask, box) : new Float32Array(18), label: i < NORMAL ? 'normal' : 'suspicious' };
        });
        const { best, results } = chooseK(samples);
        if (threshold === 45) atT45 = best.accuracy;
        figures.push(
          `T=${threshold}: k=${best.k} accuracy ${(best.accuracy * 100).toFixed(1)}% confusion ${JSON.stringify(best.confusion)} (${best.labels.join('/')}); per k ${results.map((r) => `${r.k}:${(r.accuracy * 100).toFixed(1)}`).join(' ')}`,
        );
      }
      console.info(`silhouette k-NN, ${FRAMES} samples (${NORMAL} normal, ${FRAMES - NORMAL} suspicious):\n${figures.join('\n')}`);
      // Leaning by 15° or more changes the widths row by row; a method that works tells them apart far better than chance.
      expect(atT45).toBeGreaterThanOrEqual(0.9);
    }, 120_000);
  },
);
