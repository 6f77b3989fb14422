import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { FaceRegistry } from '../../src/registry/face-registry.js';
import { httpApp } from '../../src/server/app.js';
import { faceRoutes } from '../../src/server/routes/faces.js';
import { peopleRoutes } from '../../src/server/routes/people.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { sampleEvent, T0 } from '../events/event-harness.js';
import { randomEmbedding } from '../registry/random-embedding.js';

describe('people routes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-people-api-'));
  const db = openDatabase(join(dir, 'argus.db'));
  const events = new EventStore(db);
  const registry = new FaceRegistry({ db, config: registryConfigSchema.parse({ backups: { keep: 0 } }), dataDir: dir, model: 'faceres', logger: silentLogger() });
  const app = httpApp(silentLogger());
  void app.register(peopleRoutes, { prefix: '/api/people', registry, events });
  void app.register(faceRoutes, { prefix: '/api/faces', registry });
  const sample = (seed: number) => ({ embedding: randomEmbedding(seed), crop: Buffer.from([0xff, 0xd8]), source: 'photo' as const, sourceRef: `${seed}.jpg`, box: null });

  beforeAll(async () => {
    registry.start();
    registry.enrol('alice', [sample(1)]);
    registry.enrol('bob', [sample(2), sample(3)]);
    events.save(sampleEvent(1, { kind: 'face', label: 'face', sub_label: 'alice', camera: 'door', snapshot: 'events/x/snapshot.jpg' }));
    events.save(sampleEvent(5, { kind: 'face', label: 'face', sub_label: 'alice', camera: 'yard', end_time: null }));
    await app.ready();
  });
  afterAll(() => app.close());

  it('lists each person with their samples, events and where and when they were last seen', async () => {
    const { people } = (await app.inject({ url: '/api/people' })).json();
    expect(people.map((p: { name: string; samples: number; events: number }) => [p.name, p.samples, p.events])).toEqual([
      ['alice', 1, 2],
      ['bob', 2, 0],
    ]);
    expect(people[0].last_seen).toEqual({ event_id: sampleEvent(5).id, camera: 'yard', time: new Date((T0 + 5) * 1000).toISOString(), snapshot: null });
    expect(people[1].last_seen).toBeNull();
  });

  it('merges two people over REST, and refuses a bad merge with a reason', async () => {
    // these two look nothing alike (unrelated embeddings): asked to be sure, then merged by force
    const unlike = await app.inject({ method: 'POST', url: '/api/faces/bob/merge', payload: { into: 'alice' } });
    expect(unlike.statusCode).toBe(409);
    expect(unlike.json()).toMatchObject({ code: 'unlike', error: expect.stringMatching(/^"bob" and "alice" look nothing alike/) });
    expect(registry.list()).toHaveLength(2);
    const res = await app.inject({ method: 'POST', url: '/api/faces/bob/merge', payload: { into: 'alice', force: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ person: { name: 'alice' }, moved: 2 });
    expect(registry.list().map((p) => [p.name, p.samples])).toEqual([['alice', 3]]);
    const self = await app.inject({ method: 'POST', url: '/api/faces/alice/merge', payload: { into: 'alice' } });
    expect(self.statusCode).toBe(400);
    expect(self.json()).toMatchObject({ code: 'same_person', error: expect.stringMatching(/itself/) });
    const nobody = await app.inject({ method: 'POST', url: '/api/faces/zed/merge', payload: { into: 'alice' } });
    expect(nobody.statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/api/faces/alice/merge', payload: { to: 'bob' } })).statusCode).toBe(400);
  });
});
