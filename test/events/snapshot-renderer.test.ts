import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { CaptionMasks } from '../../src/events/caption-masks.js';
import { captionOf, cropRegion, drawOverlay, SnapshotRenderer } from '../../src/events/snapshot-renderer.js';

const kinds = new EventKinds(ANALYZERS);
const W = 200;
const H = 120;
const frame = { width: W, height: H, data: new Uint8Array(W * H * 3).fill(0) };

async function pixels(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  return { info, at: (x: number, y: number) => [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)] };
}

describe('snapshot rendering', () => {
  const knife: Detection = { kind: 'weapon', label: 'knife', score: 0.874, box: [40, 40, 100, 100] };
  const face: Detection = { kind: 'face', label: 'face', score: 0.91, box: [120, 20, 160, 60], sub_label: 'alice' };
  const pose: Detection = {
    kind: 'pose',
    label: 'hands_up',
    score: 0.8,
    box: [0, 0, 200, 120],
    // Where the pose analyzer puts them.
    attributes: {
      keypoints: [
        { name: 'left_shoulder', x: 20, y: 110, score: 0.9 },
        { name: 'right_shoulder', x: 180, y: 110, score: 0.9 },
        { name: 'left_wrist', x: 20, y: 10, score: 0.1 },
      ],
    },
  };

  it('captions with label, name and score', () => {
    expect(captionOf(knife)).toBe('knife 87%');
    expect(captionOf(face)).toBe('face alice 91%');
  });

  it('draws only confident bones, and captions names whatever they hold', async () => {
    const img = { width: W, height: H, data: new Uint8Array(W * H * 3) };
    const unsure = {
      ...pose,
      box: [0, 0, 0, 0] as Detection['box'],
      attributes: { keypoints: [...(pose.attributes!.keypoints as object[]), { name: 'left_elbow', x: 20, y: 60, score: 0.9 }] },
    };
    await drawOverlay(img, [{ ...face, sub_label: '<b>&\u0001' }, unsure], new CaptionMasks());
    const at = (x: number, y: number) => [...img.data.subarray((y * W + x) * 3, (y * W + x) * 3 + 3)];
    // shoulder to shoulder and shoulder to elbow are drawn; elbow to the wrist (score 0.1) is not
    expect(at(100, 110).some((v) => v > 0)).toBe(true);
    expect(at(20, 85).some((v) => v > 0)).toBe(true);
    expect(at(20, 30).every((v) => v === 0)).toBe(true);
    // the face's caption: a filled bar above its box, wider than the bar of a short caption
    const bar = (y: number) => {
      let x = 120;
      while (x < W && at(x, y).some((v) => v > 0)) x++;
      return x - 120;
    };
    expect(bar(10)).toBeGreaterThan(60);
  });

  it('draws each box in its kind colour over the frame, and crops the event clean', async () => {
    const { annotated, crop } = await new SnapshotRenderer((kind) => kinds.colour(kind)).render(frame, [knife, face, pose], knife.box);
    expect(frame.data.every((v) => v === 0)).toBe(true);
    const shot = await pixels(annotated);
    expect(shot.info).toMatchObject({ width: W, height: H });
    const [r, g, b] = shot.at(40, 70);
    expect(r).toBeGreaterThan(180);
    expect(g + b).toBeLessThan(150);
    const [fr, , fb] = shot.at(120, 45);
    expect(fb).toBeGreaterThan(150);
    expect(fr).toBeLessThan(100);
    // The shoulder line of the skeleton, yellow.
    const [sr, sg] = shot.at(100, 110);
    expect(sr + sg).toBeGreaterThan(300);
    expect(shot.at(70, 70).every((v) => v < 30)).toBe(true);

    const clean = await pixels(crop);
    // 60 px box with a 15% margin each side, the box edge at x = 9 in the crop: not drawn on.
    expect(clean.info).toMatchObject({ width: 78, height: 78 });
    expect(clean.at(9, 30).every((v) => v < 30)).toBe(true);
  });

  it('keeps a crop inside the frame for a box at its edge', () => {
    expect(cropRegion([-10, 100, 50, 130], W, H)).toEqual({ left: 0, top: 95, width: 59, height: 25 });
    expect(cropRegion([199.5, 119.5, 199.5, 119.5], W, H)).toEqual({ left: 199, top: 119, width: 1, height: 1 });
  });
});
