import { describe, expect, it } from 'vitest';
import { proctorSchema } from '../../../src/analyzers/proctor/config.js';
import { CueTimer, type Incident } from '../../../src/analyzers/proctor/cue-timer.js';
import type { SeatObservation } from '../../../src/analyzers/proctor/cues.js';
import { ProctorRoom } from '../../../src/analyzers/proctor/room.js';

const S = 1000;
const config = proctorSchema.parse({});
const seated = (o: Partial<SeatObservation> = {}): SeatObservation => ({ persons: [0.9], faces: [], head: null, phone: 0, knn: null, ...o });
const empty = (): SeatObservation => seated({ persons: [] });

/** Feeds one observation a second to seat A1 and returns the incidents that ended, in seconds. */
function run(frames: SeatObservation[], opts: { candidate?: string; config?: object } = {}): Array<Omit<Incident, 'start' | 'end'> & { start: number; end: number }> {
  const ended: Incident[] = [];
  const room = new ProctorRoom(proctorSchema.parse(opts.config ?? {}), new Map(opts.candidate ? [['A1', opts.candidate]] : []), (i) => ended.push(i));
  frames.forEach((o, t) => {
    room.observe(t * S, new Map([['A1', o]]));
  });
  room.finish(frames.length * S);
  return ended.map((i) => ({ ...i, start: i.start / S, end: i.end / S }));
}

describe('CueTimer: minimum duration and grace', () => {
  it('opens after the minimum duration, starting when the condition began, ending at the first false frame past the grace', () => {
    const t = new CueTimer('phone', 'A1', 2 * S, 1.5 * S);
    expect(t.update(0, true, 0.5)).toBeNull();
    expect(t.open).toBe(false);
    t.update(2 * S, true, 0.8);
    expect(t.open).toBe(true);
    expect(t.start).toBe(0);
    expect(t.update(3 * S, false, 0)).toBeNull(); // inside the grace
    expect(t.update(4 * S, true, 0.6)).toBeNull(); // back: the same incident
    expect(t.update(5 * S, false, 0)).toBeNull();
    expect(t.update(7 * S, false, 0)).toEqual({ kind: 'phone', seat: 'A1', start: 0, end: 5 * S, score: 0.8 });
  });

  it('raises nothing for a condition shorter than the minimum', () => {
    const t = new CueTimer('phone', 'A1', 2 * S, 0);
    t.update(0, true, 1);
    t.update(1 * S, true, 1);
    expect(t.update(2 * S, false, 0)).toBeNull();
    expect(t.finish(3 * S)).toBeNull();
  });
});

describe('ProctorRoom: cues seat by seat', () => {
  it('absent until someone sits, then left_seat when they go', () => {
    // empty 0–11 s, seated 12–19 s, gone 20–29 s
    const frames = [...Array(12).fill(empty()), ...Array(8).fill(seated()), ...Array(10).fill(empty())];
    expect(run(frames)).toEqual([
      { kind: 'absent', seat: 'A1', start: 0, end: 12, score: 1 },
      { kind: 'left_seat', seat: 'A1', start: 20, end: 30, score: 1 },
    ]);
  });

  it('an empty seat shorter than its minimum is no incident', () => {
    const frames = [...Array(5).fill(seated()), ...Array(3).fill(empty()), ...Array(5).fill(seated())];
    expect(run(frames)).toEqual([]);
  });

  it('extra_person from a second person or a second face, scored by the weaker one', () => {
    const frames = [...Array(2).fill(seated()), ...Array(4).fill(seated({ persons: [0.9, 0.7] })), ...Array(4).fill(seated({ faces: [0.9, 0.8] })), ...Array(3).fill(seated())];
    expect(run(frames)).toEqual([{ kind: 'extra_person', seat: 'A1', start: 2, end: 10, score: 0.8 }]);
    // a second box below min_score is not a person
    expect(run(Array(6).fill(seated({ persons: [0.9, 0.3] })))).toEqual([]);
  });

  it('phone, looking away and looking down, each with its own threshold', () => {
    const frames = [
      ...Array(3).fill(seated({ phone: 0.6 })),
      ...Array(4).fill(seated({ head: { yaw: -50, pitch: 0 } })),
      ...Array(6).fill(seated({ head: { yaw: 10, pitch: 40 } })),
      ...Array(3).fill(seated({ head: { yaw: 30, pitch: 20 } })), // under both angles
    ];
    expect(run(frames).map(({ kind, start, end }) => [kind, start, end])).toEqual([
      ['phone', 0, 3],
      ['looking_away', 3, 7],
      ['looking_down', 7, 13],
    ]);
  });

  it('not_candidate only where a candidate is named and the face was checked', () => {
    const stranger = Array(7).fill(seated({ faces: [0.9], identity: null }));
    expect(run(stranger, { candidate: 'alice' }).map((i) => i.kind)).toEqual(['not_candidate']);
    expect(run(Array(7).fill(seated({ faces: [0.9], identity: 'bob' })), { candidate: 'alice' }).map((i) => i.kind)).toEqual(['not_candidate']);
    expect(run(Array(7).fill(seated({ faces: [0.9], identity: 'alice' })), { candidate: 'alice' })).toEqual([]);
    expect(run(stranger)).toEqual([]);
    expect(run(Array(7).fill(seated({ faces: [0.9] })), { candidate: 'alice' })).toEqual([]);
  });

  it('suspicious when the k-NN votes so, and a cue turned off stays quiet', () => {
    const frames = Array(4).fill(seated({ knn: { label: 'suspicious', score: 2 / 3 } }));
    expect(run(frames).map((i) => i.kind)).toEqual(['suspicious']);
    expect(run(frames, { config: { cues: { suspicious: { min_score: 0.9 } } } })).toEqual([]);
    expect(run(frames, { config: { cues: { suspicious: { enabled: false } } } })).toEqual([]);
  });

  it('reports open incidents on each frame while they last', () => {
    const room = new ProctorRoom(config, new Map());
    const phone = new Map([['A1', seated({ phone: 0.9 })]]);
    expect(room.observe(0, phone)).toEqual([]);
    expect(room.observe(1 * S, phone)).toEqual([{ kind: 'phone', seat: 'A1', start: 0, score: 0.9 }]);
  });
});
