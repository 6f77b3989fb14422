import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { openDatabase } from '../../src/store/database.js';
import { UnknownFaceStore } from '../../src/store/unknown-faces.js';

const T = 1_732_350_000;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
const stranger = (seed: number): Detection => ({
  kind: 'face',
  label: 'face',
  score: 0.9,
  box: [1, 2, 3, 4],
  sub_label: null,
  attributes: { similarity: null, embedding: new Float32Array([seed, 1, 0]), crop: JPEG },
});

function storeIn(limits = { maxCount: 3, maxAgeSeconds: 100 }) {
  return new UnknownFaceStore(openDatabase(join(mkdtempSync(join(tmpdir(), 'argus-unknown-')), 'argus.db')), limits);
}

describe('UnknownFaceStore', () => {
  it('keeps an unknown face with its embedding, crop, event, camera and time', () => {
    const store = storeIn();
    const id = store.keep({ id: 'e1', camera: 'door' }, stranger(7), 'faceres', T)!;
    expect(store.list('faceres')).toEqual([{ id, eventId: 'e1', camera: 'door', time: T, model: 'faceres', embedding: new Float32Array([7, 1, 0]), box: [1, 2, 3, 4] }]);
    expect(store.crop(id)).toEqual(JPEG);
    expect(store.list('mobilefacenet')).toEqual([]);
    expect(store.list('faceres', 'e2')).toEqual([]);
  });

  it('keeps nothing of a named face, another kind, or a face without embedding or crop', () => {
    const store = storeIn();
    const event = { id: 'e1', camera: 'door' };
    expect(store.keep(event, { ...stranger(1), sub_label: 'alice' }, 'faceres', T)).toBeUndefined();
    expect(store.keep(event, { ...stranger(1), kind: 'person' }, 'faceres', T)).toBeUndefined();
    expect(store.keep(event, { ...stranger(1), attributes: { similarity: null } }, 'faceres', T)).toBeUndefined();
    expect(store.count()).toBe(0);
  });

  it('forgets the faces of an event once a later frame names it (the stranger was known)', () => {
    const store = storeIn();
    store.keep({ id: 'e1', camera: 'door' }, stranger(1), 'faceres', T);
    store.keep({ id: 'e2', camera: 'door' }, stranger(2), 'faceres', T);
    store.keep({ id: 'e1', camera: 'door' }, { ...stranger(1), sub_label: 'alice' }, 'faceres', T + 1);
    expect(store.list('faceres').map((f) => f.eventId)).toEqual(['e2']);
  });

  it('drops the oldest beyond the count and those past the age', () => {
    const store = storeIn();
    for (let i = 0; i < 5; i++) store.keep({ id: `e${i}`, camera: 'door' }, stranger(i), 'faceres', T + i);
    expect(store.list('faceres').map((f) => f.eventId)).toEqual(['e2', 'e3', 'e4']);
    store.keep({ id: 'late', camera: 'door' }, stranger(9), 'faceres', T + 104);
    expect(store.list('faceres').map((f) => f.eventId)).toEqual(['e4', 'late']);
  });

  it('never gives a removed face’s id to a new one (a page showing it would name another face)', () => {
    const store = storeIn();
    const a = store.keep({ id: 'e1', camera: 'door' }, stranger(1), 'faceres', T)!;
    store.remove([a]);
    expect(store.keep({ id: 'e2', camera: 'door' }, stranger(2), 'faceres', T)).toBeGreaterThan(a);
  });

  it('removes faces by id and by event', () => {
    const store = storeIn({ maxCount: 10, maxAgeSeconds: 100 });
    const a = store.keep({ id: 'e1', camera: 'door' }, stranger(1), 'faceres', T)!;
    store.keep({ id: 'e2', camera: 'door' }, stranger(2), 'faceres', T);
    store.keep({ id: 'e2', camera: 'door' }, stranger(3), 'faceres', T);
    expect(store.remove([a, 999])).toBe(1);
    expect(store.removeEvent('e2')).toBe(2);
    expect(store.count()).toBe(0);
  });
});
