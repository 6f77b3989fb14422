import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { FaceRegistry } from '../../src/registry/face-registry.js';
import { httpApp } from '../../src/server/app.js';
import { faceRoutes } from '../../src/server/routes/faces.js';
import { openDatabase } from '../../src/store/database.js';

/** Requests are checked before the registry sees them, so no face model is needed here. */
describe('/api/faces refuses malformed requests with 400 and the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-face-api-'));
  const db = openDatabase(join(dir, 'argus.db'));
  const registry = new FaceRegistry({ db, config: registryConfigSchema.parse({ backups: { keep: 1, delay: 0 } }), dataDir: dir, model: 'faceres', logger: silentLogger() });
  const app = httpApp(silentLogger());
  const patch = (payload: string, url = '/api/faces/alice') => app.inject({ method: 'PATCH', url, headers: { 'content-type': 'application/json' }, payload });
  const externalId = async () => (await app.inject({ url: '/api/faces/alice' })).json().external_id;

  beforeAll(async () => {
    registry.start();
    registry.enrol('alice', [{ embedding: new Float32Array(16).fill(0.25), crop: null, source: 'photo', sourceRef: null, box: null }], { externalId: 'person.alice' });
    await app.register(faceRoutes, { prefix: '/api/faces', registry });
  });
  afterAll(async () => {
    await app.close();
    registry.stop();
    db.close();
  });

  it('takes an external_id that is a string, and null to clear it', async () => {
    const set = await patch('{"external_id": "person.alice_2"}');
    expect(set.statusCode).toBe(200);
    expect(set.json()).toMatchObject({ name: 'alice', external_id: 'person.alice_2' });
    expect((await patch('{"external_id": null}')).json().external_id).toBeNull();
    expect((await patch('{"external_id": "person.alice"}')).json().external_id).toBe('person.alice');
    const nothing = await app.inject({ method: 'PATCH', url: '/api/faces/alice' });
    expect([nothing.statusCode, nothing.json().external_id]).toEqual([200, 'person.alice']);
  });

  it('refuses an external_id that is an object, an array, a boolean, a number or too long, and keeps the old one', async () => {
    for (const value of ['{"a": 1}', '["x", "y"]', 'true', '12345', JSON.stringify('x'.repeat(60_000))]) {
      const res = await patch(`{"external_id": ${value}}`);
      expect(res.statusCode, value.slice(0, 20)).toBe(400);
      expect(res.json().code, value.slice(0, 20)).toBe('bad_request');
      expect(res.json().error, value.slice(0, 20)).toMatch(/^bad body: external_id: /);
    }
    expect(await externalId()).toBe('person.alice');
  });

  it('refuses a name that is not a string, and keys it does not know', async () => {
    const number = await patch('{"name": 12345}');
    expect([number.statusCode, number.json().code]).toEqual([400, 'bad_request']);
    expect(number.json().error).toMatch(/^bad body: name: .*string/);
    const unknown = await patch('{"nmae": "Alice"}');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error).toBe('bad body: unknown parameter(s) nmae; known: name, external_id');
    const array = await patch('[1, 2]');
    expect([array.statusCode, array.json().code]).toEqual([400, 'bad_request']);
  });

  it('answers malformed JSON with 400 bad_json, and a 2 MB body with 413 that says nothing of photos', async () => {
    const bad = await patch('{"external_id": ');
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'bad_json']);
    expect(bad.json().error).toMatch(/^malformed JSON body: /);
    const big = await patch(JSON.stringify({ external_id: 'x'.repeat(2 * 1024 * 1024) }));
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ error: 'the request body is larger than the 1 MB limit', code: 'too_large' });
    expect(await externalId()).toBe('person.alice');
  });

  it('answers malformed multipart on enrol and match with 400 bad_multipart, not 500', async () => {
    const part = '--b0\r\nContent-Disposition: form-data; name="photo"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff';
    for (const url of ['/api/faces/bob', '/api/faces/match']) {
      const noBoundary = await app.inject({ method: 'POST', url, headers: { 'content-type': 'multipart/form-data' }, payload: part });
      expect(noBoundary.statusCode, url).toBe(400);
      expect(noBoundary.json(), url).toEqual({ error: 'malformed multipart/form-data: Multipart: Boundary not found', code: 'bad_multipart' });
      const truncated = await app.inject({ method: 'POST', url, headers: { 'content-type': 'multipart/form-data; boundary=b0' }, payload: part });
      expect(truncated.statusCode, url).toBe(400);
      expect(truncated.json().code, url).toBe('bad_multipart');
    }
    expect(registry.list().map((p) => p.name)).toEqual(['alice']);
  });

  it('answers a JSON body where a photo belongs with 415, and a sample id that is not a number with 400', async () => {
    const json = await app.inject({ method: 'POST', url: '/api/faces/bob', payload: { photo: 'base64…' } });
    expect([json.statusCode, json.json().code]).toEqual([415, 'unsupported_media_type']);
    const id = await app.inject({ method: 'DELETE', url: '/api/faces/alice/samples/one' });
    expect(id.statusCode).toBe(400);
    expect(id.json()).toEqual({ error: 'bad path: id: a sample id is a whole number', code: 'bad_request' });
  });

  it('keeps the registry’s own refusals and their codes', async () => {
    const missing = await app.inject({ url: '/api/faces/nobody' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'person_not_found']);
    const badName = await patch('{"name": "??"}');
    expect([badName.statusCode, badName.json().code]).toEqual([400, 'invalid_name']);
    // an empty name is the registry's to refuse, in its words (it was "bad body: name: Too small…")
    const empty = await patch('{"name": ""}');
    expect([empty.statusCode, empty.json().code, empty.json().error]).toEqual([400, 'invalid_name', "Type a name: 1 to 64 letters, numbers, spaces and - _ . ' only"]);
    // a link typed with a phone's ’ finds the person stored with '
    await patch('{"name": "Zoë O’Brien"}');
    expect((await app.inject({ url: `/api/faces/${encodeURIComponent('Zoë O’Brien')}` })).json().name).toBe("Zoë O'Brien");
  });
});
