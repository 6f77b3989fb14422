import { describe, expect, it } from 'vitest';
import type { ArgusEvent } from '../../src/events/event.js';
import { FrameLinker, groupEvents } from '../../src/store/event-groups.js';

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
    attributes: {},
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

describe('groupEvents with links', () => {
  it('puts a linked event with the person it was seen on, wherever the last boxes ended up', () => {
    const near = ev('person', 0, 10, [0, 0, 100, 300]);
    const far = ev('person', 0, 10, [400, 0, 500, 300]);
    // Its last box lies in `near`, but in the frame that linked it, it was on `far`.
    const face = ev('face', 2, 3, [30, 10, 70, 50]);
    const groups = groupEvents([near, far, face], T + 100, new Map([[face.id, far.id]]));
    expect(groups.find((g) => g.id === far.id)!.events.map((e) => e.id)).toEqual([far.id, face.id]);
    expect(groups.find((g) => g.id === near.id)!.events).toHaveLength(1);
  });
});

describe('FrameLinker', () => {
  it('links each event to the tightest person box holding it in the same frame, once', async () => {
    const links: Array<[string, string]> = [];
    const linker = new FrameLinker((e, p) => links.push([e, p]));
    const cam = (id: string) => ({ id, camera: 'door' });
    // One frame, seen in any order: a face inside both a wide and a tight person box, a pose outside both.
    linker.see(cam('face1'), { kind: 'face', box: [40, 10, 60, 30] }, T);
    linker.see(cam('wide'), { kind: 'person', box: [0, 0, 400, 300] }, T);
    linker.see(cam('tight'), { kind: 'person', box: [20, 0, 100, 200] }, T);
    linker.see(cam('pose1'), { kind: 'pose', box: [500, 0, 600, 300] }, T);
    // Another camera's frame at the same time is another frame.
    linker.see({ id: 'face2', camera: 'yard' }, { kind: 'face', box: [40, 10, 60, 30] }, T);
    await Promise.resolve();
    expect(links).toEqual([['face1', 'tight']]);
    // A later frame does not link face1 again; the pose, now inside a person, is linked.
    linker.see(cam('face1'), { kind: 'face', box: [440, 10, 460, 30] }, T + 1);
    linker.see(cam('pose1'), { kind: 'pose', box: [420, 0, 480, 300] }, T + 1);
    linker.see(cam('other'), { kind: 'person', box: [400, 0, 500, 300] }, T + 1);
    await Promise.resolve();
    expect(links).toEqual([
      ['face1', 'tight'],
      ['pose1', 'other'],
    ]);
  });
});
