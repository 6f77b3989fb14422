import { describe, expect, it } from 'vitest';
import type { ArgusEvent } from '../../src/events/event.js';
import { groupEvents } from '../../src/store/event-groups.js';

const T = 1_732_350_000;
let n = 0;
function ev(kind: string, start: number, end: number | null, box: ArgusEvent['box'], extra: Partial<ArgusEvent> = {}): ArgusEvent {
  n++;
  return {
    id: `${(T + start).toFixed(3)}-${String(n).padStart(6, '0')}`,
    camera: 'door',
    kind,
    label: kind,
    sub_label: null,
    score: 0.9,
    top_score: 0.9,
    box,
    zones: [],
    start_time: T + start,
    end_time: end === null ? null : T + end,
    snapshot: null,
    ...extra,
  };
}

describe('groupEvents', () => {
  it('puts a face and a pose inside a person box, at the same time, with that person', () => {
    const alice = ev('person', 0, 10, [0, 0, 100, 300]);
    const bob = ev('person', 1, 12, [400, 0, 500, 300]);
    const face = ev('face', 2, 3, [30, 10, 70, 50], { sub_label: 'alice' });
    const pose = ev('pose', 4, 6, [410, 0, 490, 290], { label: 'hands_up' });
    const groups = groupEvents([alice, bob, face, pose], T + 100);
    expect(groups.map((g) => [g.id, g.events.map((e) => e.id)])).toEqual([
      [bob.id, [bob.id, pose.id]],
      [alice.id, [alice.id, face.id]],
    ]);
    expect(groups[1]).toMatchObject({ title: 'alice', sub_label: 'alice', kinds: ['person', 'face'], start_time: T, end_time: T + 10 });
    expect(groups[0]).toMatchObject({ title: 'person', sub_label: null });
  });

  it('keeps apart what happened on another camera or at another time', () => {
    const person = ev('person', 0, 10, [0, 0, 100, 300]);
    const elsewhere = ev('face', 2, 3, [30, 10, 70, 50], { camera: 'yard' });
    const later = ev('face', 20, 21, [30, 10, 70, 50]);
    expect(groupEvents([person, elsewhere, later], T + 100).map((g) => g.events.length)).toEqual([1, 1, 1]);
  });

  it('joins the one person seen at that time even when the boxes moved apart, but not one of two', () => {
    const person = ev('person', 0, 10, [0, 0, 100, 300]);
    const face = ev('face', 5, 6, [600, 10, 640, 50]);
    expect(groupEvents([person, face], T + 100)).toHaveLength(1);
    const other = ev('person', 0, 10, [200, 0, 300, 300]);
    expect(groupEvents([person, other, face], T + 100)).toHaveLength(3);
  });

  it('is still going on while any of its events is', () => {
    const person = ev('person', 0, 10, [0, 0, 100, 300]);
    const face = ev('face', 8, null, [30, 10, 70, 50]);
    expect(groupEvents([person, face], T + 100)[0].end_time).toBeNull();
  });
});
