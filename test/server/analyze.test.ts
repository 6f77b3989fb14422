import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { weaponSchema } from '../../src/analyzers/weapon/config.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { route } from '../../src/server/app.js';
import { analyzeRoutes, type AnalyzeDeps } from '../../src/server/routes/analyze.js';
import { testServer } from '../helpers/web-server.js';
import { FIXTURES } from '../registry/probe-faces.js';

const TOKEN = 'analyze-token-0123456789';

function server(detector: () => Detector | undefined, people?: AnalyzeDeps['people'], weapons?: AnalyzeDeps['weapons']) {
  return testServer({ token: TOKEN, routes: [route(analyzeRoutes, '/api/analyze', { detector, maxUploadBytes: 5 * 1024 * 1024, people, weapons })] });
}
/** A pistol the shipped model finds at 0.68. */
const PISTOL = join(import.meta.dirname, '../../../shared/datasets/weapons/valid/images/armas--1461-_jpg.rf.2a26607cd1aa86ea978e762837f83bc8.jpg');

async function post(port: number, file: Blob, name: string) {
  const form = new FormData();
  form.append('file', file, name);
  const res = await fetch(`http://127.0.0.1:${port}/api/analyze`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TOKEN}` } });
  return {
    status: res.status,
    body: (await res.json()) as { error?: string; code?: string; objects?: Array<{ label: string }>; persons?: Array<{ from: string }>; weapons?: Array<Record<string, unknown>> },
  };
}

describe('POST /api/analyze', () => {
  let detector: Detector;
  const web = server(() => detector);
  let port = 0;
  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'] });
    [port] = await web.start();
  });
  afterAll(async () => {
    await web.stop();
    await detector?.close();
  });

  it('refuses a file over 5 MB with 413 and says the limit', async () => {
    const big = new Blob([new Uint8Array(5 * 1024 * 1024 + 10)], { type: 'image/jpeg' });
    const res = await post(port, big, 'big.jpg');
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'too_large' });
    expect(res.body.error).toContain('5 MB limit (server.max_upload_mb)');
  });

  it('refuses an image whose header claims 50 000 × 50 000 pixels without decoding it', async () => {
    // A tiny PNG whose IHDR says 50000×50000: a decompression bomb by its header.
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    png.writeUInt32BE(50_000, 16);
    png.writeUInt32BE(50_000, 20);
    const res = await post(port, new Blob([png], { type: 'image/png' }), 'bomb.png');
    expect(res.status).toBe(413);
    expect(res.body.error).toMatch(/50000×50000/);
  });

  it('answers malformed multipart with 400 and a file that is not an image with 415, never 500', async () => {
    const part = '--b0\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff';
    const send = (type: string, body: string) =>
      web.app.inject({ method: 'POST', url: '/api/analyze', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': type }, payload: body });
    const noBoundary = await send('multipart/form-data', part);
    expect([noBoundary.statusCode, noBoundary.json().code]).toEqual([400, 'bad_multipart']);
    expect(noBoundary.json().error).toContain('Boundary not found');
    const truncated = await send('multipart/form-data; boundary=b0', part);
    expect([truncated.statusCode, truncated.json().code]).toEqual([400, 'bad_multipart']);
    const text = await post(port, new Blob(['hello'], { type: 'image/png' }), 'fake.png');
    expect(text.status).toBe(415);
    expect(text.body).toMatchObject({ code: 'not_an_image' });
    expect(text.body.error).toMatch(/^fake\.png: not an image/);
  });

  it('analyses a real photo', async () => {
    const jpeg = await sharp({ create: { width: 320, height: 240, channels: 3, background: '#777' } })
      .jpeg()
      .toBuffer();
    const res = await post(port, new Blob([jpeg], { type: 'image/jpeg' }), 'grey.jpg');
    expect(res.status).toBe(200);
    expect(res.body.objects).toEqual([]); // a flat grey picture holds nothing
    expect(res.body.persons).toEqual([]);
  });

  it.skipIf(!existsSync(FIXTURES))("counts persons by the server's analyzers.person, as live analysis does (needs ../shared/fixtures)", async () => {
    const photo = new Blob([readFileSync(join(FIXTURES, 'people/group-6.jpg'))], { type: 'image/jpeg' });
    // the object detector boxes its three women at 0.41, 0.40 and 0.35; min_score is 0.4 by default
    expect((await post(port, photo, 'group-6.jpg')).body.persons).toHaveLength(2);
    const lenient = server(() => detector, { person: { min_score: 0.3, min_area: 400 } });
    const [p] = await lenient.start();
    expect((await post(p, photo, 'group-6.jpg')).body.persons?.map((q) => q.from)).toEqual(['objects', 'objects', 'objects']);
    await lenient.stop();
  });

  it.skipIf(!existsSync(PISTOL))('says which weapons alert, against the server’s own analyzers.weapon thresholds', async () => {
    const photo = new Blob([readFileSync(PISTOL)], { type: 'image/jpeg' });
    const { body } = await post(port, photo, 'pistol.jpg');
    expect(body.weapons).toEqual([expect.objectContaining({ label: 'pistol', threshold: 0.5, alerts: true, armed_person: false })]);
    const strict = server(() => detector, undefined, weaponSchema.parse({ thresholds: { pistol: 0.9 } }));
    const [p] = await strict.start();
    expect((await post(p, photo, 'pistol.jpg')).body.weapons).toEqual([expect.objectContaining({ label: 'pistol', threshold: 0.9, alerts: false })]);
    await strict.stop();
  });

  it.skipIf(!existsSync(FIXTURES))(
    'answers a photo over 12 MP in its own pixels, as argus analyze does, though it is analysed scaled down (needs ../shared/fixtures)',
    async () => {
      // group-6.jpg (1920×1350) at 4400×3094: 13.6 MP, analysed at 12 MP
      const big = await sharp(join(FIXTURES, 'people/group-6.jpg')).resize(4400, 3094, { fit: 'fill' }).jpeg({ quality: 70 }).toBuffer();
      const small = await sharp(big).resize(4131, 2904, { fit: 'fill' }).jpeg({ quality: 95 }).toBuffer();
      type Boxed = { width: number; height: number; objects: Array<{ label: string; box: number[] }> };
      const whole = (await post(port, new Blob([big], { type: 'image/jpeg' }), 'big.jpg')).body as unknown as Boxed;
      const scaled = (await post(port, new Blob([small], { type: 'image/jpeg' }), 'small.jpg')).body as unknown as Boxed;
      expect([whole.width, whole.height]).toEqual([4400, 3094]);
      const people = (b: Boxed) => b.objects.filter((o) => o.label === 'person' && (o as { score?: number }).score! >= 0.3);
      expect(people(whole).length).toBeGreaterThan(0);
      expect(people(whole).length).toBe(people(scaled).length);
      // the same people, each box the 12 MP one times 4400 / 4131 (to a few pixels: two JPEG encodings apart)
      for (const [i, o] of people(whole).entries()) {
        const expected = people(scaled)[i].box.map((v) => (v * 4400) / 4131);
        for (const [k, v] of o.box.entries()) expect(Math.abs(v - expected[k])).toBeLessThan(40);
      }
    },
  );

  it('says so when the models are not loaded', async () => {
    const noModels = server(() => undefined);
    const [p] = await noModels.start();
    const res = await post(p, new Blob([new Uint8Array(10)]), 'x.jpg');
    expect(res.status).toBe(503);
    expect(res.body.error).toContain('argus models build');
    await noModels.stop();
  });
});
