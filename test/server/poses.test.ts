import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzersSchema } from '../../src/analyzers/config.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { openDatabase } from '../../src/store/database.js';
import { PoseLibrary } from '../../src/store/poses.js';
import { httpApp } from '../../src/server/app.js';
import { poseRoutes } from '../../src/server/routes/poses.js';

const PEOPLE = '../shared/fixtures/people';

describe.skipIf(!existsSync(PEOPLE))('pose routes (needs ../shared/fixtures)', () => {
  let detector: Detector;
  let app: FastifyInstance;
  const library = new PoseLibrary(openDatabase(':memory:'));
  const photo = (name: string) => readFileSync(`${PEOPLE}/${name}`);

  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects', 'pose'] });
    app = httpApp(silentLogger());
    const deps = { detector, library, model: 'blazepose', config: analyzersSchema.parse({}).pose, now: () => Date.UTC(2026, 10, 23), maxUploadBytes: 10 * 1024 * 1024 };
    await app.register(poseRoutes, { prefix: '/api/poses', ...deps });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await detector?.close();
  });

  it('saves a pose from a photo sent as the body, with the default or a given threshold', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/poses/hands_up', headers: { 'content-type': 'image/jpeg' }, payload: photo('stock-group-2.jpg') });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name: 'hands_up', threshold: 0.7, model: 'blazepose', created_at: '2026-11-23T00:00:00.000Z' });
    expect(res.json().keypoints).toContain('left_wrist');
    const again = await app.inject({ method: 'POST', url: '/api/poses/t_pose?threshold=0.95', headers: { 'content-type': 'image/jpeg' }, payload: photo('ai-body.jpg') });
    expect(again.statusCode).toBe(201);
    const list = await app.inject({ method: 'GET', url: '/api/poses' });
    expect(list.json().map((p: { name: string; threshold: number }) => [p.name, p.threshold])).toEqual([
      ['hands_up', 0.7],
      ['t_pose', 0.95],
    ]);
  });

  it('says why a pose cannot be saved', async () => {
    const post = (url: string, payload: Buffer, type = 'image/jpeg') => app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
    const empty = await post('/api/poses/nobody', photo('background.jpg'));
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('no_person');
    const badName = await post('/api/poses/Hands%20Up', photo('ai-body.jpg'));
    expect([badName.statusCode, badName.json().code]).toEqual([400, 'bad_name']);
    const notImage = await post('/api/poses/x', Buffer.from('not a jpeg'));
    expect([notImage.statusCode, notImage.json().code]).toEqual([415, 'not_an_image']);
    const badThreshold = await post('/api/poses/x?threshold=2', photo('ai-body.jpg'));
    expect([badThreshold.statusCode, badThreshold.json().code]).toEqual([400, 'bad_threshold']);
    // a negative threshold matched bones pointing every other way
    const negative = await post('/api/poses/x?threshold=-0.5', photo('ai-body.jpg'));
    expect([negative.statusCode, negative.json().code]).toEqual([400, 'bad_threshold']);
    expect(negative.json().error).toMatch(/above 0 and at most 1/);
    expect(library.get('nobody')).toBeNull();
  });

  it('deletes a pose, and 404s one that is not there', async () => {
    library.save({ name: 'gone', vector: {}, threshold: 0.9, model: 'blazepose', created_at: 0 });
    expect((await app.inject({ method: 'DELETE', url: '/api/poses/gone' })).statusCode).toBe(204);
    const again = await app.inject({ method: 'DELETE', url: '/api/poses/gone' });
    expect([again.statusCode, again.json().code]).toEqual([404, 'no_such_pose']);
  });
});
