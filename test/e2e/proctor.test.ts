import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/mqtt-broker.js';
import { screenshot } from '../helpers/screenshots.js';

const PEOPLE = join(import.meta.dirname, '../../../shared/fixtures/people');
const haveFixtures = existsSync(join(PEOPLE, 'ai-body.jpg'));
const haveFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const skip = !CHROMIUM ? ' (skipped: no Debian chromium)' : !haveFixtures ? ` (skipped: fixtures absent at ${PEOPLE})` : !haveFfmpeg ? ' (skipped: no ffmpeg)' : '';

/**
 * A 12 s exam loop composed from the fixtures: the empty landscape is the room, with two seats,
 * A1 its left 45 % and A2 the next 45 %. 0–3 s both are empty; 3–12 s the rendered woman sits in
 * each, upright in A1 and leaning (about 23°, as towards a neighbour) in A2, both swaying a
 * little. So a snapshot's label is known by its seat. A red square moves up and down outside the
 * seats all along, so the motion gate keeps handing frames on while the seats are empty (a
 * still, empty room would not be re-checked).
 */
function composeClip(path: string): void {
  const graph = [
    '[0]scale=640:400,setsar=1[bg]',
    '[1]colorkey=0xF2F2F2:0.06:0.02,scale=-1:200,format=rgba,split[u][l]',
    "[u]rotate=a='0.05*sin(t)':c=none:ow=hypot(iw\\,ih):oh=ow[up]",
    "[l]rotate=a='0.4+0.1*sin(t)':c=none:ow=hypot(iw\\,ih):oh=ow[lean]",
    "[bg][up]overlay=x='3+3*sin(2*t)':y=80:enable='gte(t,3)':eval=frame[a]",
    "[a][lean]overlay=x='290+3*sin(2*t)':y=80:enable='gte(t,3)':eval=frame[b]",
    "[b][2]overlay=x=585:y='mod(t*120\\,340)':eval=frame",
  ].join(';');
  const args = ['-v', 'error', '-y', '-loop', '1', '-i', join(PEOPLE, 'background.jpg'), '-loop', '1', '-i', join(PEOPLE, 'ai-body.jpg')];
  const r = spawnSync('ffmpeg', [
    ...args,
    '-f',
    'lavfi',
    '-i',
    'color=c=red:s=50x50:r=5',
    '-filter_complex',
    graph,
    '-t',
    '12',
    '-r',
    '5',
    '-pix_fmt',
    'yuv420p',
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    path,
  ]);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr.toString()}`);
}

describe.skipIf(skip !== '')(`the Proctoring page in Chromium${skip}`, () => {
  let argus: ArgusProcess;
  let browser: Browser;
  let base = '';
  let token = '';
  const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-ui-'));

  beforeAll(async () => {
    const clip = join(dir, 'exam.mp4');
    composeClip(clip);
    const port = await freePort();
    const config = join(dir, 'argus.yml');
    writeFileSync(
      config,
      `cameras:
  exam:
    url: ${clip}
    detect: { width: 640, height: 400, fps: 3 }
    analyzers:
      faces: { enabled: false }
      pose: { enabled: false }
      weapon: { enabled: false }
      proctor:
        enabled: true
        seats:
          - { name: A1, coordinates: [[0, 0], [0.45, 0], [0.45, 1], [0, 1]] }
          - { name: A2, coordinates: [[0.45, 0], [0.9, 0], [0.9, 1], [0.45, 1]] }
analyzers:
  proctor:
    cues:
      absent: { seconds: 1 }
      left_seat: { seconds: 1 }
mqtt: { embedded_port: 0 }
server: { port: ${port} }
data_dir: ${join(dir, 'data')}
`,
    );
    argus = spawnArgus([], { ARGUS_CONFIG: config });
    const tokenFile = await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\/ \(the access token is in (\S+);/.exec(argus.output())?.[1], 120_000);
    token = readFileSync(tokenFile, 'utf8').trim();
    base = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    argus?.child.kill('SIGTERM');
    await argus?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const watch = (page: Page) => {
    const problems: string[] = [];
    // Chromium asks every page for /favicon.ico, which the UI shell (index.html, not this page) does not name.
    const favicon = (url: string) => new URL(url).pathname === '/favicon.ico';
    page.on('console', (m) => m.type() === 'error' && !favicon(m.location().url) && problems.push(`console: ${m.text()} (${m.location().url})`));
    page.on('pageerror', (e) => problems.push(`page: ${e.message}`));
    page.on('response', (r) => r.status() >= 400 && !favicon(r.url()) && problems.push(`${r.status()} ${r.url()}`));
    page.on('request', (r) => {
      if (new URL(r.url()).hostname !== '127.0.0.1') problems.push(`request left the machine: ${r.url()}`);
    });
    return problems;
  };

  it('starts a session, labels captured seats by keyboard, shows the cross-validation, saves, stops and opens the report', async () => {
    const page = await browser.newPage();
    const problems = watch(page);
    await page.goto(`${base}?token=${token}#proctor`);
    const card = page.locator('form.pr-camera[data-camera="exam"]');
    await expect.poll(() => card.locator('.pr-state').textContent()).toBe('No exam running');
    expect(await card.textContent()).toContain('2 seats: A1, A2');

    await card.locator('input[name="name"]').fill('Maths paper 2');
    await card.locator('button', { hasText: 'Start session' }).click();
    await expect.poll(() => card.locator('.pr-state').textContent()).toMatch(/^Exam running since .* · Maths paper 2$/);

    // Capture with the keyboard (C) until 12 snapshots of the seated women exist: a capture while
    // a seat is empty, or before the proctor has seen it empty, names the seat and the reason.
    const thumbs = page.locator('#pr-samples .pr-thumb');
    const reasons = new Set<string>();
    await expect
      .poll(
        async () => {
          await page.locator('body').press('c');
          await page.waitForTimeout(900);
          const said = (await page.locator('#pr-train-status').textContent()) ?? '';
          if (/ot captured/.test(said)) reasons.add(said);
          return thumbs.count();
        },
        { timeout: 150_000, interval: 100 },
      )
      .toBeGreaterThanOrEqual(12);
    for (const r of reasons) {
      expect(r).toMatch(
        /^(Captured [12] seats?\. Not captured|Nothing captured): (seat A[12]: (nobody in it now|not seen empty yet[^.]*)|the proctor has not analysed a frame of camera "exam" yet)/,
      );
    }

    // Label the first 12 by keyboard, each by its seat (A1 upright: N, A2 leaning: S); each key
    // labels the current sample and moves to the next.
    await page.locator('#pr-samples .pr-thumb').first().click();
    const titles = await Promise.all(Array.from({ length: 12 }, (_, i) => thumbs.nth(i).getAttribute('title')));
    const labels = titles.map((t) => (t?.startsWith('seat A1') ? 'normal' : 'suspicious'));
    const counts = { normal: labels.filter((l) => l === 'normal').length, suspicious: labels.filter((l) => l === 'suspicious').length };
    expect(Math.min(counts.normal, counts.suspicious)).toBeGreaterThanOrEqual(2);
    for (const [i, label] of labels.entries()) {
      await page.locator('body').press(label === 'normal' ? 'n' : 's');
      await expect.poll(() => thumbs.nth(i).getAttribute('data-label')).toBe(label);
    }
    // U undoes the last label; ← and → move.
    await page.locator('body').press('u');
    await expect.poll(() => thumbs.nth(11).getAttribute('data-label')).toBe('');
    expect(await thumbs.nth(11).getAttribute('aria-current')).toBe('true');
    await page.locator('body').press('ArrowLeft');
    expect(await thumbs.nth(10).getAttribute('aria-current')).toBe('true');
    await page.locator('body').press('ArrowRight');
    await page.locator('body').press(labels[11] === 'normal' ? 'n' : 's');
    await expect.poll(() => thumbs.nth(11).getAttribute('data-label')).toBe(labels[11]);

    // The page shows the server's 10-fold cross-validation of these 12 labels, per k.
    await expect
      .poll(() => page.locator('#pr-accuracy').textContent(), { timeout: 20_000 })
      .toContain(`over 12 labelled samples (${counts.normal} normal, ${counts.suspicious} suspicious)`);
    const expected = await page.evaluate(async () =>
      (await fetch('api/proctor/evaluate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"camera":"exam"}' })).json(),
    );
    expect(await page.locator('#pr-accuracy b').first().textContent()).toBe(`${(expected.accuracy * 100).toFixed(1)} %`);
    // …and how many suspicious ones it found, which the accuracy alone hides
    const found = Math.round(expected.recall.suspicious * counts.suspicious);
    expect(await page.locator('#pr-accuracy').textContent()).toContain(`it found ${found} of ${counts.suspicious} suspicious samples`);
    // a training fold holds 10 samples: k 3, 5, 7, 9
    expect(await page.locator('.pr-per-k tr td:first-child').allTextContents()).toEqual(['3', '5', '7', '9']);
    const cells = (await page.locator('.pr-confusion td').allTextContents()).map(Number);
    expect(cells).toEqual(expected.confusion.flat());
    expect(cells.reduce((a, b) => a + b, 0)).toBe(12);
    // The seat's 18 ratios tell the upright woman from the leaning one (labelled by seat, not by look).
    expect(expected.accuracy).toBeGreaterThanOrEqual(0.8);

    await page.locator('#pr-save').click();
    await expect.poll(() => page.locator('#pr-train-status').textContent()).toMatch(/^Saved: k = \d+, \d+% in 10-fold cross-validation over 12 samples/);
    await expect.poll(() => card.textContent()).toMatch(/classifier k = \d+ on 12 samples/);

    // The samples and the classifier leave as one archive, and come back in by the import field.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#pr-export').click()]);
    const file = join(dir, 'archive.json');
    await download.saveAs(file);
    const archive = JSON.parse(readFileSync(file, 'utf8'));
    expect(archive).toMatchObject({ format: 'argus-proctor-samples', version: 1, classifiers: [{ camera: 'exam', samples: expect.any(Array) }] });
    const n = archive.samples.length;
    expect(await thumbs.count()).toBe(n);
    await page.locator('#pr-import').setInputFiles(file);
    // its own samples are here already: left out, not doubled
    await expect.poll(() => page.locator('#pr-train-status').textContent()).toBe(`Imported 0 samples and 1 classifier (${n} samples already here, left out).`);
    await expect.poll(() => thumbs.count()).toBe(n);
    // Delete asks first (it sits beside the label buttons, and U undoes labels only)
    page.once('dialog', (d) => void d.dismiss());
    await page.locator('.pr-delete').first().click();
    await page.waitForTimeout(300);
    expect(await thumbs.count()).toBe(n);
    page.once('dialog', (d) => void d.accept());
    await page.locator('.pr-delete').first().click();
    await expect.poll(() => thumbs.count()).toBe(n - 1);

    // While the loop runs, the seats are empty 3 s in every 12: left_seat (or absent) incidents.
    const session = (await page.evaluate(async () => (await fetch('api/proctor/cameras')).json()))[0].session;
    await expect
      .poll(
        async () => (await page.evaluate(async (id) => (await fetch(`api/proctor/sessions/${encodeURIComponent(id)}/report.json`)).json(), session.id)).totals?.incidents ?? 0,
        {
          timeout: 60_000,
          interval: 1000,
        },
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'proctor');

    await card.locator('button', { hasText: 'Stop session' }).click();
    await expect.poll(() => card.locator('.pr-state').textContent()).toBe('No exam running');
    const row = page.locator('.pr-reports tr', { hasText: 'Maths paper 2' });
    await expect.poll(() => row.textContent()).not.toContain('running');
    const [report] = await Promise.all([page.waitForEvent('popup'), row.locator('a', { hasText: 'HTML' }).click()]);
    await report.waitForLoadState();
    expect(await report.locator('h1').textContent()).toBe('Exam session Maths paper 2');
    expect(await report.locator('h2', { hasText: /^Seat A[12]/ }).count()).toBeGreaterThanOrEqual(1);
    expect(await report.locator('body').textContent()).toMatch(/(left_seat|absent)/);
    // "to keep": one file with each incident's picture in it (its links expire)
    const [kept] = await Promise.all([page.waitForEvent('download'), row.locator('a', { hasText: 'to keep' }).click()]);
    const keptHtml = readFileSync((await kept.path())!, 'utf8');
    expect(keptHtml).toMatch(/^<!doctype html>/);
    expect(keptHtml).toContain('<img src="data:image/jpeg;base64,');
    expect(problems).toEqual([]);
    await page.close();
  }, 400_000);
});
