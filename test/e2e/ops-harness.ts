import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/mqtt-broker.js';

/** The access token the ops pages' Argus runs with (a configured secret: the Settings page must hide it). */
export const TOKEN = 'ops-e2e-token-0123456789abcdef';

/**
 * One Argus per test file for the Statistics, Cameras, Analyze, Logs and Settings pages: the demo
 * camera, the embedded broker on a free port, photos up to 5 MB, a configured token.
 */
export async function startOps(prefix: string): Promise<{ argus: ArgusProcess; browser: Browser; base: string; port: number; dir: string; brokerUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const config = join(dir, 'argus.yml');
  writeFileSync(config, `server: { token: "${TOKEN}", max_upload_mb: 5 }\nmqtt: { embedded_port: 0 }\n`);
  const port = await freePort();
  const argus = spawnArgus(['--config', config], { ARGUS_DATA_DIR: join(dir, 'data'), ARGUS_PORT: String(port), ARGUS_MQTT_URL: '', ARGUS_TOKEN: '' });
  await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\//.test(argus.output()) || undefined, 120_000);
  const brokerUrl = /embedded MQTT broker listening on (mqtt:\/\/[\d.:]+)/.exec(argus.output())![1];
  const browser = await launchChromium();
  return { argus, browser, base: `http://127.0.0.1:${port}/`, port, dir: join(dir, 'data'), brokerUrl };
}

/** A page logged in with the token, collecting console errors and any request that leaves 127.0.0.1. */
/** A fresh page on the UI at `#hash`; `before` may set the page up (routes) before it loads. */
export async function openPage(browser: Browser, base: string, hash: string, before?: (page: Page) => Promise<void>): Promise<{ page: Page; errors: string[]; outside: string[] }> {
  const page = await browser.newPage();
  await before?.(page);
  const errors: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'blob:'].includes(url.protocol) && url.hostname !== '127.0.0.1') outside.push(r.url());
  });
  await page.goto(`${base}?token=${TOKEN}#${hash}`);
  return { page, errors, outside };
}

/** GET a JSON API path with the token. */
export async function apiGet<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/**
 * From now on the page gets Argus' own `GET /api/stats` with `camera` marked overloaded (5 motion
 * frames a second, `analyzedFps` of them analysed, half a frame of those by the essential analyzers only): how the UI shows a machine that cannot keep up,
 * without loading this one until it cannot.
 */
export async function answerStatsAsOverloaded(page: Page, camera: string, analyzedFps: number): Promise<void> {
  await page.route(
    (url) => url.pathname.endsWith('/api/stats'),
    async (route) => {
      const res = await route.fetch();
      const report = await res.json();
      const overloaded = { ...report.cameras[camera], motion_fps: 5, analyzed_fps: analyzedFps, essential_fps: 0.5, overloaded: true };
      await route.fulfill({ response: res, json: { ...report, cameras: { ...report.cameras, [camera]: overloaded } } });
    },
  );
}
