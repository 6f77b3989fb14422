import { describe, expect, it } from 'vitest';
import type { ObjectDetection } from '../../src/models/detection.js';
import { BOX_STEP, MAX_VERIFIED, refineBox, type Verifier, VERIFY_FLOOR, verifiedScore, verifierExtras, verifyDetections } from '../../src/models/verifier.js';
import { boxDeltas } from '../../src/train/verifier.js';

const img = { width: 100, height: 50, data: new Uint8Array(100 * 50 * 3) };

/** Says "pistol" with 0.9 for boxes left of x = 50, "none" (0.9) elsewhere; records what it was asked. */
function leftIsPistol(): Verifier & { asked: number[][] } {
  const asked: number[][] = [];
  return {
    classes: ['pistol', 'knife'],
    asked,
    run: async (_img, box, extras) => {
      asked.push(Array.from(extras));
      return { probs: box[0] < 50 ? Float32Array.from([0.05, 0.9, 0.05]) : Float32Array.from([0.9, 0.05, 0.05]) };
    },
  };
}

const det = (label: string, score: number, x: number): ObjectDetection => ({ label, score, box: [x, 10, x + 10, 30] });

describe('verifyDetections', () => {
  it('rescores its classes with the geometric mean; other classes pass unchanged', async () => {
    const v = leftIsPistol();
    const out = await verifyDetections(img, [det('pistol', 0.4, 10), det('pistol', 0.5, 70), det('person', 0.8, 0)], [v], 0.3);
    expect(out.map((d) => d.label)).toEqual(['person', 'pistol']);
    expect(out[1].score).toBeCloseTo(Math.sqrt(0.9 * 0.4), 6);
    expect(out[1].box).toEqual([10, 10, 20, 30]);
    // the right-hand one was asked about and fell below the minimum (sqrt(0.05 × 0.5) = 0.16)
    expect(v.asked.length).toBe(2);
  });

  it('below the floor, or past the first few, its classes keep the detector score unseen', async () => {
    const v = leftIsPistol();
    // side by side, apart (x 0, 7, 14, …: all "pistol" to this verifier)
    const many = Array.from({ length: MAX_VERIFIED + 2 }, (_, i): ObjectDetection => ({ label: 'pistol', score: 0.9 - i * 0.05, box: [i * 7, 10, i * 7 + 5, 30] }));
    const low = det('knife', VERIFY_FLOOR - 0.01, 0);
    const out = await verifyDetections(img, [...many, low], [v], 0.01);
    expect(v.asked.length).toBe(MAX_VERIFIED);
    expect(out.length).toBe(MAX_VERIFIED + 3);
    expect(out[0].score).toBeCloseTo(Math.sqrt(0.9 * 0.9), 6);
    // the two past the cap and the knife under the floor, as the detector scored them
    expect(out.slice(MAX_VERIFIED).map((d) => d.score)).toEqual([many[MAX_VERIFIED].score, many[MAX_VERIFIED + 1].score, low.score]);
    // and under the minimum score they are gone
    expect(await verifyDetections(img, [low], [leftIsPistol()], VERIFY_FLOOR)).toEqual([]);
  });

  it('a detection of another class still needs the minimum score', async () => {
    const out = await verifyDetections(img, [det('person', 0.2, 0)], [leftIsPistol()], 0.3);
    expect(out).toEqual([]);
  });

  it('a verifier with a box regressor moves the boxes it verified, BOX_STEP of the way', async () => {
    // "the box is 2× too narrow and its centre a tenth of its width too far left"
    const deltas = Float32Array.from([0.1, 0, Math.log(2), 0]);
    const v: Verifier = { classes: ['pistol'], run: async () => ({ probs: Float32Array.from([0.1, 0.9]), deltas }) };
    const [moved, kept] = await verifyDetections(img, [det('pistol', 0.8, 10), det('pistol', VERIFY_FLOOR - 0.01, 60)], [v], 0.01);
    expect(moved.box).toEqual(refineBox([10, 10, 20, 30], deltas, img.width, img.height));
    // the regressor's box is [6, 10, 26, 30] (centre 15 + 0.1 × 10, width 20); half-way there
    expect(moved.box.map((x) => Number(x.toFixed(6)))).toEqual([8, 10, 23, 30]);
    expect(kept.box).toEqual([60, 10, 70, 30]);
  });

  it('two verified candidates moved onto one weapon: the lower is dropped; another class there stays', async () => {
    // the regressor pulls each box onto [10, 10, 20, 30] wherever it starts (BOX_STEP of the way)
    const onto = (box: readonly number[]) => {
      const w = box[2] - box[0];
      const h = box[3] - box[1];
      return Float32Array.from([(15 - (box[0] + box[2]) / 2) / w, (20 - (box[1] + box[3]) / 2) / h, Math.log(10 / w), Math.log(20 / h)]);
    };
    const v: Verifier = { classes: ['pistol', 'knife'], run: async (_img, box) => ({ probs: Float32Array.from([0.1, 0.45, 0.45]), deltas: onto(box) }) };
    const a = det('pistol', 0.8, 10);
    const b: ObjectDetection = { label: 'pistol', score: 0.6, box: [4, 10, 16, 30] }; // IoU 0.375 with a: both survived the decoder
    const knife = det('knife', 0.7, 12);
    const out = await verifyDetections(img, [a, b, knife], [v], 0.01);
    expect(out.map((d) => [d.label, Number(d.score.toFixed(4))])).toEqual([
      ['pistol', Number(Math.sqrt(0.45 * 0.8).toFixed(4))],
      ['knife', Number(Math.sqrt(0.45 * 0.7).toFixed(4))],
    ]);
  });

  it('refineBox: the corrections boxDeltas measures, undone; none leave the box; inside the picture', () => {
    const box: [number, number, number, number] = [20, 10, 40, 50];
    const truth: [number, number, number, number] = [25, 5, 55, 45];
    const back = refineBox(box, boxDeltas(box, truth), 100, 60, 1);
    for (let i = 0; i < 4; i++) expect(back[i]).toBeCloseTo(truth[i], 6);
    expect(refineBox(box, [0, 0, 0, 0], 100, 60)).toEqual(box);
    const half = refineBox(box, boxDeltas(box, truth), 100, 60);
    for (let i = 0; i < 4; i++) expect(half[i]).toBeCloseTo(box[i] + (truth[i] - box[i]) * BOX_STEP, 6);
    expect(refineBox([80, 40, 100, 60], [0.5, 0.5, 0, 0], 100, 60, 1)).toEqual([90, 50, 100, 60]);
  });

  it('refineBox: corrections that are not finite keep the box; huge ones are capped', () => {
    const box: [number, number, number, number] = [400, 400, 420, 440];
    expect(refineBox(box, [Number.NaN, 0, 0, 0], 1000, 1000, 1)).toEqual(box);
    expect(refineBox(box, [0, 0, Number.POSITIVE_INFINITY, 0], 1000, 1000, 1)).toEqual(box);
    // centre moved one box at most, size 4× at most: not stretched to the picture's edges
    const wild = refineBox(box, [50, -50, 30, -30], 1000, 1000, 1);
    expect(wild).toEqual([390, 375, 470, 385]);
  });

  it('extras: the class one-hot, the log of the box share of the picture and of its aspect', () => {
    const e = verifierExtras([0, 0, 20, 10], 100, 50, 1, 2);
    expect(Array.from(e.subarray(0, 2))).toEqual([0, 1]);
    expect(e[2]).toBeCloseTo(Math.log(200 / 5000), 6);
    expect(e[3]).toBeCloseTo(Math.log(2), 6);
    expect(verifiedScore(0.25, 1)).toBe(0.5);
  });
});
