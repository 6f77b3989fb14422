import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { silentLogger } from '../../src/log.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { FaceRegistry } from '../../src/registry/face-registry.js';
import { httpApp } from '../../src/server/app.js';
import { unknownFaceRoutes } from '../../src/server/routes/unknown-faces.js';
import { openDatabase } from '../../src/store/database.js';
import { UnknownFaceStore } from '../../src/store/unknown-faces.js';
import { near, randomEmbedding } from '../registry/random-embedding.js';

const T = 1_732_350_000;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
const stranger = (embedding: Float32Array): Detection => ({ kind: 'face', label: 'face', score: 0.9, box: [1, 2, 3, 4], sub_label: null, attributes: { embedding, crop: JPEG } });

describe('unknown face routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-unknown-api-'));
  const db = openDatabase(join(dir, 'argus.db'));
  const store = new UnknownFaceStore(db);
  const registry = new FaceRegistry({ db, config: registryConfigSchema.parse({ backups: { keep: 0 } }), dataDir: dir, model: 'faceres', logger: silentLogger() });
  const app = httpApp(silentLogger());
  void app.register(unknownFaceRoutes, { prefix: '/api/unknown-faces', store, registry, model: 'faceres' });
  const carol = randomEmbedding(1);
  const dave = randomEmbedding(2);
  const bob = randomEmbedding(3);
  const ids: Record<string, number[]> = { carol: [], dave: [], bobLike: [] };

  beforeAll(async () => {
    registry.start();
    registry.enrol('bob', [{ embedding: bob, crop: JPEG, source: 'photo', sourceRef: 'bob.jpg', box: null }]);
    for (let i = 0; i < 3; i++) ids.carol.push(store.keep({ id: `c${i}`, camera: 'door' }, stranger(near(carol, 0.9, 10 + i)), 'faceres', T + i)!);
    for (let i = 0; i < 2; i++) ids.dave.push(store.keep({ id: `d${i}`, camera: 'yard' }, stranger(near(dave, 0.9, 20 + i)), 'faceres', T + 10 + i)!);
    await app.ready();
  });
  afterAll(() => app.close());

  const groups = async (qs = '') => (await app.inject({ url: `/api/unknown-faces${qs}` })).json();

  it('groups the strangers by similarity, newest seen first, with their crops', async () => {
    const body = await groups();
    expect(body).toMatchObject({ threshold: 0.6, faces: 5 });
    expect(body.groups.map((g: { faces: { id: number }[] }) => g.faces.map((f) => f.id))).toEqual([ids.dave, ids.carol]);
    expect(body.groups[0]).toMatchObject({ id: ids.dave[0], cameras: ['yard'], last_seen: new Date((T + 11) * 1000).toISOString() });
    const crop = await app.inject({ url: `/api/${body.groups[0].faces[0].crop}` });
    expect(crop.headers['content-type']).toBe('image/jpeg');
    expect(crop.rawPayload.equals(JPEG)).toBe(true);
    // each group's closest enrolled person, whatever the likeness (bob is the only one: far from both)
    const cosine = (a: Float32Array, b: Float32Array) => {
      let dot = 0;
      let na = 0;
      let nb = 0;
      for (let i = 0; i < a.length; i++) [dot, na, nb] = [dot + a[i] * b[i], na + a[i] * a[i], nb + b[i] * b[i]];
      return dot / Math.sqrt(na * nb);
    };
    const daveFaces = [20, 21].map((seed) => near(dave, 0.9, seed));
    expect(body.groups[0].closest).toEqual({ name: 'bob', similarity: Math.round(Math.max(...daveFaces.map((f) => cosine(f, bob))) * 1000) / 1000 });
    expect(body.groups[0].closest.similarity).toBeLessThan(0.3);
    expect((await groups('?event_id=c1')).groups.map((g: { faces: { id: number }[] }) => g.faces.map((f) => f.id))).toEqual([[ids.carol[1]]]);
  });

  it('names a group: its faces are enrolled and leave the list; the matcher then names that face', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/unknown-faces/name', payload: { name: 'carol', faces: ids.carol } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ person: { name: 'carol' }, refused: [], threshold: registry.threshold });
    expect(res.json().enrolled.map((e: { face: number }) => e.face)).toEqual(ids.carol);
    // each face's likeness to carol's faces before it (the first has none): about 0.81, two of her at 0.9 from one face
    const likeness = res.json().enrolled.map((e: { likeness: number | null }) => e.likeness);
    expect(likeness[0]).toBeNull();
    for (const l of likeness.slice(1)) expect(l).toBeGreaterThan(0.75);
    expect(registry.person('carol').samples.map((s) => [s.source, s.sourceRef])).toEqual([
      ['event', 'c0'],
      ['event', 'c1'],
      ['event', 'c2'],
    ]);
    expect(registry.match(near(carol, 0.9, 99))?.name).toBe('carol');
    expect((await groups()).groups.map((g: { id: number }) => g.id)).toEqual([ids.dave[0]]);
  });

  it('refuses a face that looks like someone else, saying who and why, and enrols the rest', async () => {
    const like = store.keep({ id: 'b0', camera: 'door' }, stranger(near(bob, 0.95, 30)), 'faceres', T + 20)!;
    const res = await app.inject({ method: 'POST', url: '/api/unknown-faces/name', payload: { name: 'dave', faces: [...ids.dave, like] } });
    const body = res.json();
    expect(body.enrolled.map((e: { face: number }) => e.face)).toEqual(ids.dave);
    expect(body.refused).toEqual([{ face: like, code: 'duplicate', error: expect.stringMatching(/looks like "bob"/), person: 'bob', similarity: expect.any(Number) }]);
    expect(store.get(like)).toBeDefined();
  });

  it('dismisses a group: its faces go, nobody is enrolled', async () => {
    const [group] = (await groups()).groups;
    const before = registry.list().length;
    const res = await app.inject({ method: 'POST', url: '/api/unknown-faces/dismiss', payload: { faces: group.faces.map((f: { id: number }) => f.id) } });
    expect(res.json()).toEqual({ removed: 1 });
    expect(store.count()).toBe(0);
    expect(registry.list()).toHaveLength(before);
  });

  it('refuses a bad name, missing faces or a bad body with a reason, changing nothing', async () => {
    const id = store.keep({ id: 'x0', camera: 'door' }, stranger(randomEmbedding(40)), 'faceres', T + 30)!;
    for (const [payload, status, code] of [
      [{ name: '../etc', faces: [id] }, 400, 'invalid_name'],
      [{ name: 'erin', faces: [123456, 123457] }, 404, 'face_not_found'],
      [{ name: 'erin', faces: [] }, 400, undefined],
      [{ name: 'erin', faces: ['1'] }, 400, undefined],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/unknown-faces/name', payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(status);
      if (code) expect(res.json().code).toBe(code);
      expect(res.json().error).toBeTruthy();
    }
    expect(store.get(id)).toBeDefined();
    expect(registry.list().map((p) => p.name)).not.toContain('erin');
    expect((await app.inject({ url: '/api/unknown-faces/999999/crop.jpg' })).json().code).toBe('face_not_found');
  });

  it('names the faces still there when some went meanwhile, saying which went', async () => {
    const erin = randomEmbedding(50);
    const kept = [0, 1].map((i) => store.keep({ id: `e${i}`, camera: 'door' }, stranger(near(erin, 0.9, 60 + i)), 'faceres', T + 40 + i)!);
    store.remove([kept[1]]);
    const res = await app.inject({ method: 'POST', url: '/api/unknown-faces/name', payload: { name: 'erin', faces: kept } });
    expect(res.statusCode).toBe(200);
    expect(res.json().enrolled.map((e: { face: number }) => e.face)).toEqual([kept[0]]);
    expect(res.json().refused).toEqual([{ face: kept[1], code: 'face_not_found', error: expect.stringMatching(/gone meanwhile/) }]);
    expect(registry.person('erin').samples).toHaveLength(1);
  });
});
