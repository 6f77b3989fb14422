import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { makeColourClip } from '../helpers/clip-colours.js';
import { freePort } from '../helpers/mqtt-broker.js';

const TOKEN = 'many-cameras-token-0123456789abcdef';
const CAMERAS = ['cam1', 'cam2', 'cam3', 'cam4', 'cam5'];

/**
 * Five cameras and one turned off in the config. A browser opens six connections to a host: one
 * MJPEG stream per camera, with the live events' stream, left none for the page's own requests,
 * and the Live and Cameras pages never showed a status (a user pass, 5 RTSP cameras).
 */
describe.skipIf(!CHROMIUM)('the Live and Cameras pages with five cameras (needs Debian chromium)', () => {
  let argus: ArgusProcess;
  let browser: Browser;
  let base = '';
  const dir = mkdtempSync(join(tmpdir(), 'argus-many-cameras-'));

  beforeAll(async () => {
    const clip = join(dir, 'colours.mp4');
    await makeColourClip(clip, { width: 160, height: 96, fps: 2, count: 6 });
    const off = '{ enabled: false }';
    const analyzers = `{ person: ${off}, faces: ${off}, pose: ${off}, weapon: ${off} }`;
    const cameras = CAMERAS.map((c) => `  ${c}: { url: ${JSON.stringify(clip)}, detect: { width: 160, height: 96, fps: 2 }, analyzers: ${analyzers} }`).join('\n');
    const config = join(dir, 'argus.yml');
    writeFileSync(
      config,
      `server: { token: "${TOKEN}" }\nmqtt: { embedded_port: 0 }\ndata_dir: ${JSON.stringify(join(dir, 'data'))}\ncameras:\n${cameras}\n  garden: { url: rtsp://127.0.0.1:9/none, enabled: false }\n`,
    );
    const port = await freePort();
    argus = spawnArgus(['--config', config], { ARGUS_PORT: String(port), ARGUS_MQTT_URL: '', ARGUS_TOKEN: '' });
    await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\//.test(argus.output()) || undefined, 120_000);
    base = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    argus?.child.kill('SIGTERM');
    await argus?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists a camera turned off in the config in the API, saying why', async () => {
    const res = await fetch(`${base}api/cameras/garden`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'garden', enabled: false, connected: false, lastError: 'turned off in the config (enabled: false)' });
  });

  it('shows every camera live on the Live page, with its status, and names the one turned off', async () => {
    const page = await browser.newPage();
    const streams: string[] = [];
    page.on('request', (r) => r.url().includes('stream.mjpeg') && streams.push(r.url()));
    await page.goto(`${base}?token=${TOKEN}#live`);
    for (const name of CAMERAS) {
      const figure = page.locator(`figure[data-camera="${name}"]`);
      await expect.poll(() => figure.locator('img').evaluate((el: HTMLImageElement) => el.naturalWidth), { timeout: 30_000 }).toBe(160);
      await expect.poll(() => figure.locator('.status').textContent(), { timeout: 15_000 }).toMatch(/\d\.\d fps/);
    }
    await expect.poll(() => page.locator('#cameras').textContent()).toContain('Turned off in the config: garden.');
    expect(await page.locator('figure[data-camera="garden"]').count()).toBe(0);
    // past three cameras the page fetches frames: no stream holds a connection
    expect(streams).toEqual([]);
    // the page's requests still go through: a reload answers
    await page.reload({ timeout: 20_000 });
    await page.locator('figure[data-camera="cam5"] .status').filter({ hasText: /fps/ }).waitFor({ timeout: 15_000 });
    await page.close();
  });

  it('shows each camera’s status and switches on the Cameras page, and the one turned off without controls', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}?token=${TOKEN}#cameras`);
    for (const name of CAMERAS) {
      const card = page.locator(`article.cam[data-camera="${name}"]`);
      await expect.poll(() => card.locator('.status').textContent(), { timeout: 30_000 }).toMatch(/^watching and detecting: \d\.\d fps/);
      await expect.poll(() => card.locator('.switches input').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    }
    const garden = page.locator('article.cam[data-camera="garden"]');
    expect(await garden.locator('.status').textContent()).toMatch(/^Turned off in the config \(cameras\.garden\.enabled: false\)/);
    expect(await garden.locator('button, img, input').count()).toBe(0);
    expect(await page.locator('.cam-error:not([hidden])').count()).toBe(0);
    await page.close();
  });
});
