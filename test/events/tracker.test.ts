import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/events/analyzed-frame.js';
import type { EventBox } from '../../src/events/event.js';
import { Tracker } from '../../src/events/tracker.js';

const person = (box: EventBox, score = 0.8): Detection => ({ kind: 'person', label: 'person', score, box });
const shift = (b: EventBox, dx: number, dy = 0): EventBox => [b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy];

describe('Tracker', () => {
  it('keeps one id for a person walking across the frame', () => {
    const tracker = new Tracker();
    let box: EventBox = [0, 100, 100, 300];
    const ids = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const [t] = tracker.update([person(box)], i * 0.2);
      ids.add(t.id);
      box = shift(box, 30);
    }
    expect(ids.size).toBe(1);
    expect(tracker.size).toBe(1);
  });

  it('follows a fast mover whose boxes no longer overlap, by centre distance', () => {
    const tracker = new Tracker();
    const [a] = tracker.update([person([0, 0, 50, 100])], 0);
    const [b] = tracker.update([person([60, 0, 110, 100])], 0.2);
    expect(b.id).toBe(a.id);
    expect(b.hits).toBe(2);
  });

  it('gives a far-away detection a new id', () => {
    const tracker = new Tracker();
    const [a] = tracker.update([person([0, 0, 50, 100])], 0);
    const [b] = tracker.update([person([500, 0, 550, 100])], 0.2);
    expect(b.id).not.toBe(a.id);
    expect(tracker.size).toBe(2);
  });

  it('keeps two people apart when they swap nothing but their order in the list', () => {
    const tracker = new Tracker();
    const left: EventBox = [0, 0, 100, 200];
    const right: EventBox = [300, 0, 400, 200];
    const first = tracker.update([person(left), person(right)], 0);
    const second = tracker.update([person(shift(right, -10)), person(shift(left, 10))], 0.2);
    const idAt = (tracks: typeof first, x: number) => tracks.find((t) => Math.abs(t.detection.box[0] - x) < 20)!.id;
    expect(idAt(second, 10)).toBe(idAt(first, 0));
    expect(idAt(second, 290)).toBe(idAt(first, 300));
  });

  it('matches only the same kind and label', () => {
    const tracker = new Tracker();
    const [p] = tracker.update([person([0, 0, 100, 200])], 0);
    const [k] = tracker.update([{ kind: 'weapon', label: 'knife', score: 0.7, box: [0, 0, 100, 200] }], 0.2);
    expect(k.id).not.toBe(p.id);
  });

  it('never follows one recognised person with a detection named as someone else, close as they stand', () => {
    const tracker = new Tracker();
    const face = (box: EventBox, name: string | null): Detection => ({ kind: 'face', label: 'face', sub_label: name, score: 0.9, box });
    // the demo camera: joe's face, then a woman beside him named alice half a second later
    const [joe] = tracker.update([face([456, 6, 554, 104], 'joe')], 0);
    const [alice] = tracker.update([face([563, 2, 640, 89], 'alice')], 0.5);
    expect(alice.id).not.toBe(joe.id);
    // a frame that recognised nobody still follows joe, and his name stays his
    const [unnamed] = tracker.update([face([460, 6, 558, 104], null)], 1);
    expect(unnamed.id).toBe(joe.id);
    const [again] = tracker.update([face([470, 6, 568, 104], 'bob')], 1.5);
    expect(again.id).not.toBe(joe.id);
    // an unknown face that is then recognised stays one object
    const [stranger] = tracker.update([face([0, 200, 100, 300], null)], 2);
    const [named] = tracker.update([face([5, 200, 105, 300], 'carol')], 2.5);
    expect(named.id).toBe(stranger.id);
  });

  it('follows an identity under a new name (the person renamed while in view), and never another identity of that name', () => {
    const tracker = new Tracker();
    const face = (x: number, name: string, identity: string): Detection => ({ kind: 'face', label: 'face', sub_label: name, score: 0.9, box: [x, 0, x + 50, 50], identity });
    const [joe] = tracker.update([face(0, 'joe', 'visit:1')], 0);
    const [renamed] = tracker.update([face(2, 'joseph', 'visit:1')], 0.2);
    expect(renamed.id).toBe(joe.id);
    expect(renamed.name).toBe('joseph');
    const [other] = tracker.update([face(4, 'joseph', 'visit:2')], 0.4);
    expect(other.id).not.toBe(joe.id);
  });

  it('keeps the id through a short miss and forgets the object after maxAge', () => {
    const tracker = new Tracker();
    const [a] = tracker.update([person([0, 0, 100, 200])], 0);
    tracker.update([], 1);
    expect(tracker.expire(1, 2)).toEqual([]);
    const [b] = tracker.update([person([5, 0, 105, 200])], 1.5);
    expect(b.id).toBe(a.id);
    expect(tracker.expire(3, 2)).toEqual([]);
    const gone = tracker.expire(3.6, 2);
    expect(gone.map((t) => t.id)).toEqual([a.id]);
    expect(gone[0].lastSeen).toBe(1.5);
    expect(tracker.size).toBe(0);
  });

  it('gives one object passing the same way again and again one track, not one more each pass', () => {
    // a bin sliding left to right over 10 s, again and again (a looped clip; someone pacing)
    const t = new Tracker();
    let time = 0;
    const tracks: number[] = [];
    for (let pass = 0; pass < 6; pass++) {
      for (let f = 0; f < 50; f++) {
        const x = 52 + (f / 49) * 428;
        t.update([{ kind: 'object', label: 'bin', score: 0.77, box: [x, 205, x + 71, 318] }], time);
        t.expire(time, 10);
        time += 0.2;
      }
      tracks.push(t.size);
    }
    // each pass matched the bin to the object it left there the pass before: 1, 2, 3, 4, 5, 6
    expect(Math.max(...tracks)).toBeLessThanOrEqual(2);
    expect(tracks.at(-1)).toBe(1);
  });
});
