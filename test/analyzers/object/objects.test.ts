import { describe, expect, it } from 'vitest';
import { objectSchema } from '../../../src/analyzers/object/config.js';
import { ObjectWatch, unknownLabels } from '../../../src/analyzers/object/objects.js';
import type { ObjectDetection } from '../../../src/models/detection.js';

const bin = (score: number, box: [number, number, number, number] = [10, 10, 60, 90]): ObjectDetection => ({ label: 'bin', score, box });
const dog = (score: number): ObjectDetection => ({ label: 'dog', score, box: [100, 100, 180, 160] });

describe('ObjectWatch', () => {
  it('reports a watched label once it was seen in confirm_hits of the last confirm_frames, then every frame that shows it', () => {
    const watch = new ObjectWatch(objectSchema.parse({ labels: ['bin'] }));
    expect(watch.analyze([bin(0.8)])).toEqual([]);
    const second = watch.analyze([bin(0.8)]);
    expect(second).toEqual([{ kind: 'object', label: 'bin', score: 0.8, box: [10, 10, 60, 90], attributes: { hits: 2, frames: 2 } }]);
    expect(watch.analyze([])).toEqual([]);
    expect(watch.analyze([bin(0.7)])).toHaveLength(1); // 2 of the last 3
    expect(watch.analyze([])).toEqual([]);
    expect(watch.analyze([])).toEqual([]);
    expect(watch.analyze([bin(0.7)])).toEqual([]); // 1 of the last 3: a new look-alike starts over
  });

  it('ignores labels it does not watch, boxes under the threshold or the smallest area, and keeps each label its own history', () => {
    const watch = new ObjectWatch(objectSchema.parse({ labels: ['bin', 'dog'], thresholds: { dog: 0.3 }, min_area: 500 }));
    const person: ObjectDetection = { label: 'person', score: 0.99, box: [0, 0, 100, 200] };
    watch.analyze([bin(0.45), dog(0.35), person]);
    const out = watch.analyze([bin(0.45), dog(0.35), bin(0.9, [0, 0, 10, 10]), person]);
    // bin below its 0.5 default, the tiny bin under min_area; the dog passes its own 0.3
    expect(out.map((d) => d.label)).toEqual(['dog']);
    watch.analyze([bin(0.9)]);
    expect(watch.analyze([bin(0.9)]).map((d) => d.label)).toEqual(['bin']);
  });

  it('forgets its history on reset', () => {
    const watch = new ObjectWatch(objectSchema.parse({ labels: ['bin'] }));
    watch.analyze([bin(0.8)]);
    watch.reset();
    expect(watch.analyze([bin(0.8)])).toEqual([]);
  });

  it('refuses confirm_hits above confirm_frames, and names labels no model knows', () => {
    expect(objectSchema.safeParse({ confirm_hits: 4, confirm_frames: 3 }).success).toBe(false);
    expect(unknownLabels(['bin', 'dgo', 'dog'], ['person', 'dog', 'bin'])).toEqual(['dgo']);
  });
});
