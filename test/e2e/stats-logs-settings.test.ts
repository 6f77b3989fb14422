import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { CHROMIUM } from '../helpers/browser.js';
import { screenshot } from '../helpers/screenshots.js';
import { answerStatsAsOverloaded, apiGet, openPage, startOps, TOKEN } from './ops-harness.js';

describe.skipIf(!CHROMIUM)('the Statistics, Logs and Settings pages in Chromium (needs Debian chromium)', () => {
  let argus: ArgusProcess;
  let browser: Browser;
  let base = '';
  let dataDir = '';

  beforeAll(async () => {
    ({ argus, browser, base, dir: dataDir } = await startOps('argus-ui-stats-'));
    // The demo raises events within a minute or so; then pause it, so the stored counts hold still while compared.
    await waitUntil('an event of the demo camera', async () => (await apiGet<{ total: number }>(base, 'api/events?limit=1')).total > 0 || undefined, 150_000);
    const res = await fetch(`${base}api/cameras/demo/detection`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ paused: true }),
    });
    expect(res.status).toBe(200);
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    argus?.child.kill('SIGTERM');
    await argus?.exited;
  });

  /** The events table as Argus stored it, read beside the running process (WAL lets both read). */
  function storedCounts(column: 'camera' | 'kind'): Record<string, number> {
    const db = new Database(join(dataDir, 'argus.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare(`SELECT ${column} AS k, COUNT(*) AS n FROM events GROUP BY ${column}`).all() as Array<{ k: string; n: number }>;
      return Object.fromEntries(rows.map((r) => [r.k, r.n]));
    } finally {
      db.close();
    }
  }

  it('charts the detections per hour by kind with the counts stored in SQLite, the alerts sent and the analysis load', async () => {
    const { page, errors, outside } = await openPage(browser, base, 'stats');
    await page.selectOption('#stats-form select[name="by"]', 'kind');
    await page.locator('#stats-form button').click();
    // The table says what it was drawn by: wait for the one asked for, not the first load's (by camera).
    await page.locator('#history-table[data-by="kind"] tbody tr').first().waitFor({ timeout: 20_000 });
    // Every kind the table shows has the count SQLite holds, and the chart draws one series per kind.
    const stored = storedCounts('kind');
    const shown = Object.fromEntries(
      await page.locator('#history-table tbody tr').evaluateAll((rows) => rows.map((r) => [(r as HTMLElement).dataset.series, Number(r.querySelector('.total')?.textContent)])),
    );
    expect(shown).toEqual(stored);
    expect(Number(await page.locator('#history-total').textContent())).toBe(Object.values(stored).reduce((a, b) => a + b, 0));
    const legend = await page.locator('#chart-detections .u-legend .u-series .u-label').allTextContents();
    expect(legend.slice(1).sort()).toEqual(Object.keys(stored).sort());
    expect(await page.locator('#chart-detections canvas').count()).toBe(1);
    expect(await page.locator('#chart-notifications canvas').count()).toBe(1);
    expect(await page.locator('#notifications-total').textContent()).toMatch(/No alert was sent/);
    // The load: a chart of the rates sampled since start, and the table of totals per camera.
    await page.locator('#load-table tr[data-camera="demo"]').waitFor();
    expect(await page.locator('#chart-load canvas').count()).toBe(1);
    const analysed = Number(await page.locator('#load-table tr[data-camera="demo"] td:nth-child(4)').textContent());
    expect(analysed).toBeGreaterThan(0);
    // one demo camera keeps up: every frame analysed in full, none by the weapon analyzers alone
    expect(await page.locator('#load-table tr[data-camera="demo"] td:nth-child(5)').textContent()).toBe('0');
    expect(await page.locator('#load-table th[title*="under_load"]').textContent()).toBe('of those, weapons only');
    expect(await page.locator('#load-summary').textContent()).toMatch(/Inference time \(all models, last runs\): median \d+(\.\d)? ms/);
    // By camera: the same events, all on the demo camera.
    await page.selectOption('#stats-form select[name="by"]', 'camera');
    await page.locator('#stats-form button').click();
    await expect.poll(() => page.locator('#history-table tbody tr').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.series))).toEqual(['demo']);
    expect(Number(await page.locator('#history-table tr[data-series="demo"] .total').textContent())).toBe(storedCounts('camera').demo);
    await page.selectOption('#stats-form select[name="by"]', 'kind');
    await page.locator('#stats-form button').click();
    await page.locator('#history-table[data-by="kind"] tbody tr').first().waitFor();
    await screenshot(page, 'stats');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('fits its charts to a phone: nothing wider than 360 px (they were measured before the page had its styles)', async () => {
    // as a phone's browser lays it out (isMobile: the page's viewport meta decides the width)
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    // the page's stylesheet slower than its data, as on a loaded machine (the charts took the unstyled width)
    await page.route(
      (url) => url.pathname.endsWith('/ui/pages/ops.css'),
      async (route) => {
        await new Promise((r) => setTimeout(r, 1500));
        await route.continue();
      },
    );
    await page.goto(`${base}?token=${TOKEN}#stats`);
    await page.locator('#chart-detections canvas').first().waitFor({ timeout: 20_000 });
    await page.locator('#chart-load canvas').first().waitFor({ timeout: 20_000 });
    const widths = await page.evaluate(() =>
      [...document.querySelectorAll('.chart')].map((c) => [c.getBoundingClientRect().width, c.firstElementChild?.getBoundingClientRect().width ?? 0]),
    );
    for (const [box, chart] of widths) expect(chart).toBeLessThanOrEqual(box + 1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await phone.close();
  });

  it('gives every field a phone types into 16 px text on every page (under it, iOS zooms into the field on focus)', async () => {
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    const small: string[] = [];
    let fields = 0;
    for (const id of ['live', 'events', 'who', 'people', 'stats', 'cameras', 'analyze', 'proctor', 'logs', 'settings']) {
      await page.goto(`${base}?token=${TOKEN}#${id}`);
      await page.locator(`#page[data-page="${id}"]`).waitFor({ timeout: 20_000 });
      await page.waitForTimeout(1000); // the page's own requests fill in its forms
      const found = await page.evaluate(() =>
        [...document.querySelectorAll('input, select, textarea')]
          .filter((el) => !['checkbox', 'radio', 'file', 'range', 'hidden'].includes((el as HTMLInputElement).type) && (el as HTMLElement).offsetParent !== null)
          .map((el) => [
            `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${(el as HTMLInputElement).name ? `[name=${(el as HTMLInputElement).name}]` : ''}`,
            getComputedStyle(el).fontSize,
          ]),
      );
      fields += found.length;
      for (const [what, size] of found) if (Number.parseFloat(size) < 16) small.push(`${id}: ${what} ${size}`);
    }
    expect(fields).toBeGreaterThan(5);
    expect(small).toEqual([]);
    await phone.close();
  });

  it('says when Argus cannot keep up, and what helps (the report answered as an overloaded one)', async () => {
    const { page, errors } = await openPage(browser, base, 'stats');
    await answerStatsAsOverloaded(page, 'demo', 3.5);
    await page.reload();
    const notice = page.locator('#load-summary #overload');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(
      /Argus cannot keep up with demo \(60 % analysed in full, 70 % for weapons and watched objects\): .*skipped, or seen only for weapons and watched objects, while the models were busy/s,
    );
    expect(await notice.textContent()).toMatch(/faces cost the most.*detect\.fps.*fewer cameras.*under_load: beside/s);
    await page.unroute(() => true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows the recent log lines, filters them by level, and offers the day’s event log to download', async () => {
    const { page, errors, outside } = await openPage(browser, base, 'logs');
    const lines = page.locator('#log-lines tr');
    await expect.poll(() => lines.count(), { timeout: 10_000 }).toBeGreaterThan(3);
    const text = await page.locator('#log-lines').textContent();
    expect(text).toMatch(/models loaded in \d+ ms/);
    expect(text).toContain('detection on demo paused from the web UI');
    expect(text).not.toContain(TOKEN);
    await page.selectOption('#log-filter select[name="level"]', 'warn');
    await expect.poll(async () => (await page.locator('#log-lines td:nth-child(2)').allTextContents()).filter((l) => l === 'info').length).toBe(0);
    await page.selectOption('#log-filter select[name="level"]', 'info');
    await expect.poll(() => lines.count()).toBeGreaterThan(3);
    // Today's JSONL file: its link downloads every event message written so far.
    const link = page.locator('#log-day-table a').first();
    await link.waitFor();
    await screenshot(page, 'logs');
    const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(([d]) => d);
    const body = await (await import('node:fs/promises')).readFile(await download.path(), 'utf8');
    const messages = body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; event: { camera: string } });
    expect(messages.length).toBeGreaterThan(0);
    expect(messages[0]).toMatchObject({ type: 'start', event: { camera: 'demo' } });
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('shows the configuration as loaded, with the token hidden', async () => {
    const { page, errors, outside } = await openPage(browser, base, 'settings');
    await page.locator('details[data-section="server"]').waitFor();
    expect(await page.locator('tr[data-key="max_upload_mb"] td.value').first().textContent()).toBe('5');
    expect(await page.locator('details[data-section="server"] tr[data-key="token"] td.value').textContent()).toBe('hidden');
    expect(await page.locator('details[data-section="mqtt"] tr[data-key="embedded_port"] td.value').textContent()).toBe('0');
    expect(await page.locator('details[data-section="general"] tr[data-key="log_level"] td.value').textContent()).toBe('info');
    expect(await page.content()).not.toContain(TOKEN);
    expect(await page.locator('.settings > p').first().textContent()).toMatch(/Loaded from .*argus\.yml, with the demo camera/);
    await screenshot(page, 'settings');
    expect(errors).toEqual([]);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('lists the pages in menu order and moves between them by keyboard', async () => {
    const { page, errors } = await openPage(browser, base, 'stats');
    expect(await page.locator('nav a').allTextContents()).toEqual(expect.arrayContaining(['Statistics', 'Cameras', 'Analyze', 'Logs', 'Settings']));
    const menu = await page.locator('nav a').allTextContents();
    expect(menu.indexOf('Statistics')).toBeLessThan(menu.indexOf('Cameras'));
    expect(menu.indexOf('Cameras')).toBeLessThan(menu.indexOf('Analyze'));
    expect(menu.indexOf('Logs')).toBeLessThan(menu.indexOf('Settings'));
    await page.locator('nav a', { hasText: 'Settings' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.title()).toBe('Settings · Argus');
    expect(errors).toEqual([]);
    await page.close();
  });
});
