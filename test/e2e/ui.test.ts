import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/mqtt-broker.js';

const require = createRequire(import.meta.url);
const PHOTO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');

describe.skipIf(!CHROMIUM)('the web UI in Chromium (needs Debian chromium)', () => {
  let argus: ArgusProcess;
  let browser: Browser;
  let url = '';
  const dir = mkdtempSync(join(tmpdir(), 'argus-ui-'));

  beforeAll(async () => {
    const port = await freePort();
    argus = spawnArgus([], { ARGUS_DATA_DIR: dir, ARGUS_PORT: String(port) });
    const token = await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\/\?token=([\w-]+)/.exec(argus.output())?.[1], 90_000);
    url = `http://127.0.0.1:${port}/?token=${token}`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    argus?.child.kill('SIGTERM');
    await argus?.exited;
  });

  it('shows the demo camera live with its frame rate', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const img = page.locator('figure[data-camera="demo"] img');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth), { timeout: 20_000 }).toBe(640);
    await expect.poll(() => page.locator('figure[data-camera="demo"] .status').textContent(), { timeout: 20_000 }).toMatch(/\d\.\d fps/);
    await page.close();
  });

  it('analyses a dropped photo and lists the people with their confidence', async () => {
    const page = await browser.newPage();
    await page.goto(url.replace('/?', '/?') + '#analyze');
    await page.locator('#pick').setInputFiles(PHOTO);
    const list = page.locator('#analyze-list');
    await list.waitFor({ state: 'visible', timeout: 60_000 });
    const text = await list.textContent();
    expect(text).toMatch(/person \d+%/);
    expect(text).toMatch(/face: unknown face, \d+% confidence/);
    expect(await page.locator('#analyze-canvas').evaluate((c: HTMLCanvasElement) => c.width)).toBeGreaterThan(1000);
    await page.close();
  });

  it('refuses a file that is not an image with a clear message', async () => {
    const page = await browser.newPage();
    await page.goto(`${url}#analyze`);
    await page.locator('#pick').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect.poll(() => page.locator('#analyze-error').textContent()).toBe('notes.txt is not an image.');
    // The server refuses it too, when a client skips the page's check.
    const res = await page.evaluate(async () => {
      const form = new FormData();
      form.append('file', new Blob(['hello'], { type: 'image/png' }), 'fake.png');
      const r = await fetch('api/analyze', { method: 'POST', body: form });
      return { status: r.status, body: await r.json() };
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/not an image/);
    await page.close();
  });
});
