// The Who is this? page's refusals in Chromium, on strangers kept beforehand (real faces from the
// fixture photos, real embeddings) and no camera running, so nothing changes the list but the test:
// a group unlike the name given, a face like someone enrolled, and faces gone before naming.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnknownFaceStore } from '../../src/store/unknown-faces.js';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/mqtt-broker.js';
import { realRegistry } from '../registry/real-registry.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FACES = resolve(ROOT, '../shared/fixtures/faces');
const MODELS_BUILT = existsSync(join(ROOT, 'models/faceres.onnx'));

describe.skipIf(!CHROMIUM || !existsSync(FACES) || !MODELS_BUILT)('Who is this? settles refusals (needs Debian chromium, ../shared/fixtures and built models)', () => {
  let argus: ArgusProcess;
  let browser: Browser;
  let origin = '';
  let token = '';
  let dir = '';
  /** The kept strangers' face ids, by who they are. */
  const ids: Record<'biden' | 'obama' | 'rose', number[]> = { biden: [], obama: [], rose: [] };
  const errors: string[] = [];

  const api = async <T>(path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${origin}/api/${path}`, {
      method: body ? 'POST' : 'GET',
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const samples = async (name: string) => (await api<{ samples: unknown[] }>(`faces/${name}`)).samples.length;

  async function open(): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // A naming answered 404 on purpose (the faces were dismissed first) is logged by Chromium as a failed load.
    page.on('console', (m) => m.type() === 'error' && !m.location().url.endsWith('/api/unknown-faces/name') && errors.push(`${m.text()} (${m.location().url})`));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/?token=${token}#who`);
    await page
      .locator('#who-status')
      .filter({ hasText: /unknown faces? in/ })
      .waitFor();
    return page;
  }
  const groupOf = (page: Page, face: number) => page.locator(`[data-group]:has(input[name=face][value="${face}"])`);

  beforeAll(async () => {
    // The registry and the strangers, written to the data folder Argus then starts on.
    const r = await realRegistry({ backups: { keep: 0 } });
    dir = r.dir;
    const photo = (path: string) => ({ data: readFileSync(join(FACES, path)), label: path });
    await r.registry.enrolPhotos('barack_obama', [photo('known/barack_obama/1.jpg'), photo('known/barack_obama/2.jpg')]);
    await r.registry.enrolPhotos('kit_harington', [photo('known/kit_harington/1.jpg')]);
    const store = new UnknownFaceStore(r.db);
    const strangers: Array<[keyof typeof ids, string]> = [
      ['biden', 'known/joe_biden/1.jpg'],
      ['obama', 'probe/obama1.jpg'],
      ['rose', 'known/rose_leslie/1.jpg'],
      ['rose', 'known/rose_leslie/2.jpg'],
    ];
    const now = Date.now() / 1000;
    for (const [i, [who, path]] of strangers.entries()) {
      const jpeg = readFileSync(join(FACES, path));
      const face = await r.registry.surestFace(jpeg);
      if (!face) throw new Error(`no face in ${path}`);
      const crop = await sharp(jpeg).resize(96, 96).jpeg().toBuffer();
      const detection = { kind: 'face' as const, label: 'face', score: 0.9, box: face.box, sub_label: null, attributes: { embedding: face.embedding, crop } };
      ids[who].push(store.keep({ id: `event-${who}`, camera: 'door' }, detection, 'faceres', now - 60 + i)!);
    }
    await r.close();

    const port = await freePort();
    const config = join(dir, 'argus.yml');
    // One camera, switched off: not the demo, and no stranger arrives during the test.
    writeFileSync(
      config,
      `cameras: { door: { url: rtsp://127.0.0.1:9/none, enabled: false } }\nmqtt: { embedded_port: ${await freePort()} }\nserver: { port: ${port} }\ndata_dir: ${dir}\n`,
    );
    argus = spawnArgus(['--config', config], {});
    const tokenFile = await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\/ \(the access token is in (\S+);/.exec(argus.output())?.[1], 90_000);
    token = readFileSync(tokenFile, 'utf8').trim();
    origin = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    argus?.child.kill('SIGTERM');
    await argus?.exited;
  });

  it('says whom a group looks most like, linked to their page', async () => {
    const page = await open();
    const hint = groupOf(page, ids.obama[0]).locator('.closest');
    expect(await hint.textContent()).toMatch(/^Looks most like barack_obama \((7\d|8\d)% alike\): if it is them, name it so\.$/);
    expect(await hint.locator('a').getAttribute('href')).toBe('#people/barack_obama');
    await page.close();
  });

  it('offers "add anyway" for faces unlike the name given, and adds them when clicked', async () => {
    const page = await open();
    const group = groupOf(page, ids.biden[0]);
    expect(await group.locator('input[name=face]').count()).toBe(1);
    await group.locator('input[name=name]').fill('kit_harington');
    await group.locator('button[type=submit]').click();
    const note = page.locator('#who-log .who-note').first();
    await expect.poll(() => note.textContent(), { timeout: 20_000 }).toMatch(/Not added:.*does not look like/s);
    // the keyboard goes on from what naming did (the named card left the list)
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('who-note'))).toBe(true);
    expect(await samples('kit_harington')).toBe(1);
    // A refused face stays in the list.
    expect(await group.locator('input[name=face]').count()).toBe(1);
    await note.getByRole('button', { name: 'It is kit_harington: add anyway' }).click();
    await expect.poll(() => note.textContent(), { timeout: 20_000 }).toMatch(/Added 1 face to kit_harington/);
    expect(await samples('kit_harington')).toBe(2);
    await expect.poll(() => groupOf(page, ids.biden[0]).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('offers to add a face like someone enrolled to them instead', async () => {
    const page = await open();
    const group = groupOf(page, ids.obama[0]);
    await group.locator('input[name=name]').fill('joe');
    await group.locator('button[type=submit]').click();
    const note = page.locator('#who-log .who-note').first();
    await expect.poll(() => note.textContent(), { timeout: 20_000 }).toMatch(/Not added:.*looks like "barack_obama"/s);
    expect(await note.getByRole('button', { name: 'joe: add anyway' }).count()).toBe(1);
    await note.getByRole('button', { name: 'It looks like barack_obama: add to barack_obama instead' }).click();
    await expect.poll(() => note.textContent(), { timeout: 20_000 }).toMatch(/Added 1 face to barack_obama/);
    expect(await samples('barack_obama')).toBe(3);
    expect((await api<{ people: Array<{ name: string }> }>('faces')).people.map((p) => p.name)).not.toContain('joe');
    await expect.poll(() => groupOf(page, ids.obama[0]).count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('says so and shows the list again when the faces went before they were named', async () => {
    const page = await open();
    const group = groupOf(page, ids.rose[0]);
    await group.locator('input[name=name]').fill('rose_leslie');
    // Meanwhile (as when the stranger is recognised on a camera) the faces leave the list.
    expect(await api('unknown-faces/dismiss', { faces: ids.rose })).toEqual({ removed: 2 });
    await group.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('#who-log .who-note').first().textContent(), { timeout: 20_000 }).toMatch(/gone meanwhile/);
    await expect.poll(() => groupOf(page, ids.rose[0]).count()).toBe(0);
    expect((await api<{ people: Array<{ name: string }> }>('faces')).people.map((p) => p.name)).not.toContain('rose_leslie');
    expect(errors).toEqual([]);
    await page.close();
  });
});
