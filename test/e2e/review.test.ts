// The review pages (Events, Who is this?, People) in Chromium against one running Argus on the
// Hamilton clip, with Barack Obama enrolled from the fixture photos. One Argus for the file: its
// start-up and the first minute of the clip are most of the time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { CHROMIUM, launchChromium } from '../helpers/browser.js';
import { freePort } from '../helpers/mqtt-broker.js';
import { screenshot } from '../helpers/screenshots.js';
import { realRegistry, type RealRegistry } from '../registry/real-registry.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = resolve(ROOT, '../shared/fixtures');
const CLIP = join(FIXTURES, 'video/short_hamilton_clip.mp4');
const KNOWN = join(FIXTURES, 'faces/known');
const MODELS_BUILT = existsSync(join(ROOT, 'models/faceres.onnx'));
/** Lin-Manuel Miranda's face in the 640×360 clip (test/integration/faces-live.test.ts measured it). */
const isLinsPlace = (box: number[]) => {
  const x = (box[0] + box[2]) / 2;
  return (x >= 120 && x <= 320) || (x >= 500 && x <= 590);
};

/** A fixture photo's face as a registry sample. */
async function photoSample(r: RealRegistry, path: string) {
  const face = await r.registry.surestFace(readFileSync(path));
  if (!face) throw new Error(`no face in ${path}`);
  return { embedding: face.embedding, crop: null, source: 'photo' as const, sourceRef: path, box: face.box };
}

interface UnknownFace {
  id: number;
  event_id: string;
  box: number[];
  time: string;
}
interface UnknownGroup {
  id: number;
  faces: UnknownFace[];
}

describe.skipIf(!CHROMIUM || !existsSync(CLIP) || !MODELS_BUILT)('the review pages in Chromium (needs Debian chromium, ../shared/fixtures and built models)', () => {
  let argus: ArgusProcess;
  let browser: Browser;
  let origin = '';
  let url = '';
  let token = '';
  const dir = mkdtempSync(join(tmpdir(), 'argus-review-'));
  const errors: string[] = [];
  const outside: string[] = [];
  /** Requests a test makes fail on purpose: Chromium logs each failed load to the console. */
  const refusals = new Set<string>();

  /** The API as the test sees it (not through the page). */
  const get = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${origin}/api/${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  async function open(hash: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('console', (m) => m.type() === 'error' && !refusals.has(m.location().url) && errors.push(`${m.text()} (${m.location().url})`));
    page.on('pageerror', (e) => errors.push(e.message));
    // Nothing may leave the machine: every request goes to this Argus (or is inline data).
    page.on('request', (r) => !r.url().startsWith(`${origin}/`) && !/^(data|blob):/.test(r.url()) && outside.push(r.url()));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url}${hash}`);
    return page;
  }

  beforeAll(async () => {
    const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'faces', ...args, '--data', dir], { cwd: ROOT }).toString();
    cli(['add', 'barack_obama', join(KNOWN, 'barack_obama/1.jpg'), join(KNOWN, 'barack_obama/2.jpg')]);
    const port = await freePort();
    const config = join(dir, 'argus.yml');
    writeFileSync(
      config,
      `
cameras:
  stage:
    url: ${CLIP}
    detect: { width: 640, height: 360, fps: 5 }
    analyzers: { pose: { enabled: false }, weapon: { enabled: false } }
# a face's visit (its event held open) lasts 3 s unseen: the looping clip's strangers come back within
# the default minute, and the tests below need some of their events ended
analyzers: { faces: { cooldown: 3 } }
mqtt: { embedded_port: ${await freePort()} }
server: { port: ${port} }
data_dir: ${dir}
`,
    );
    argus = spawnArgus(['--config', config], {});
    const tokenFile = await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\/ \(the access token is in (\S+);/.exec(argus.output())?.[1], 90_000);
    token = readFileSync(tokenFile, 'utf8').trim();
    origin = `http://127.0.0.1:${port}`;
    url = `${origin}/?token=${token}`;
    browser = await launchChromium();
  }, 150_000);
  afterAll(async () => {
    await browser?.close();
    argus?.child.kill('SIGTERM');
    await argus?.exited;
  });

  it('groups the strangers on Who is this?; naming one enrols its faces, and later frames of him carry the name', async () => {
    // Lin-Manuel Miranda is not enrolled: his close-up becomes a stranger's group within a pass or two of the clip.
    const atHisPlace = (g: UnknownGroup) => g.faces.filter((f) => isLinsPlace(f.box)).length;
    const lins = await waitUntil(
      "a group of Lin-Manuel Miranda's faces",
      async () => {
        const { groups } = await get<{ groups: UnknownGroup[] }>('unknown-faces');
        const best = groups.sort((a, b) => atHisPlace(b) - atHisPlace(a))[0];
        return best && atHisPlace(best) >= 2 ? best : undefined;
      },
      180_000,
    );
    const page = await open('#who');
    const card = page.locator(`[data-group="${lins.id}"]`);
    await card.waitFor();
    await expect
      .poll(() =>
        card
          .locator('img')
          .first()
          .evaluate((el: HTMLImageElement) => el.naturalWidth),
      )
      .toBeGreaterThan(0);
    await screenshot(page, 'who');

    // Untick any face of the group (as drawn: it may have grown) that is not where he stands.
    const boxes = new Map((await get<{ groups: UnknownGroup[] }>('unknown-faces')).groups.flatMap((g) => g.faces.map((f) => [f.id, f.box] as const)));
    for (const box of await card.locator('input[name=face]').all()) {
      const faceBox = boxes.get(Number(await box.getAttribute('value')));
      if (!faceBox || !isLinsPlace(faceBox)) await box.uncheck();
    }
    const tickedIds = await card.locator('input[name=face]:checked').evaluateAll((els) => els.map((e) => Number((e as HTMLInputElement).value)));
    const ticked = tickedIds.length;
    expect(ticked).toBeGreaterThanOrEqual(2);
    await card.locator('input[name=name]').fill('lin_manuel_miranda');
    await card.locator('button[type=submit]').click();
    await expect.poll(() => page.locator('#who-log').textContent(), { timeout: 20_000 }).toMatch(/Added \d+ faces? to lin_manuel_miranda/);
    const added = Number(/Added (\d+) face/.exec((await page.locator('#who-log').textContent()) ?? '')?.[1]);
    const refused = await page.locator('#who-log .refused li').count();
    expect(added + refused).toBe(ticked);
    // Its named faces left the list and joined the registry as samples from events.
    const lin = await get<{ samples: { source: string }[] }>('faces/lin_manuel_miranda');
    expect(lin.samples).toHaveLength(added);
    expect(lin.samples.every((s) => s.source === 'event')).toBe(true);
    const left = (await get<{ groups: UnknownGroup[] }>('unknown-faces')).groups.flatMap((g) => g.faces.map((f) => f.id));
    expect(tickedIds.filter((id) => left.includes(id))).toHaveLength(refused);

    // The matcher now knows him (he was in no registry before): a face on the stage is named.
    // And it is him: the event's face is closer to his own photo than to Obama's (the fixture photos,
    // in a registry of their own; his close-up scores 0.54-0.74 against his photo, docs/faces.md).
    // The first named events are looked at until one's crop gives BlazeFace a face (on a loaded
    // machine a crop can be a small, blurred face it does not find again alone).
    const reference = await realRegistry({});
    try {
      reference.registry.enrol('lin_manuel_miranda', [await photoSample(reference, join(KNOWN, 'lin_manuel_miranda/1.png'))]);
      reference.registry.enrol('barack_obama', [await photoSample(reference, join(KNOWN, 'barack_obama/1.jpg')), await photoSample(reference, join(KNOWN, 'barack_obama/2.jpg'))], {
        force: true,
      });
      const looked = new Set<string>();
      const face = await waitUntil(
        'a face event named lin_manuel_miranda whose crop holds a face',
        async () => {
          const { events } = await get<{ events: { id: string; snapshot: string | null }[] }>('events?kind=face&name=lin_manuel_miranda');
          for (const event of events.filter((e) => e.snapshot && !looked.has(e.id))) {
            looked.add(event.id);
            const crop = await fetch(`${origin}/api/events/${event.id}/crop.jpg`, { headers: { authorization: `Bearer ${token}` } });
            const found = await reference.registry.surestFace(Buffer.from(await crop.arrayBuffer()));
            if (found) return found;
          }
          return undefined;
        },
        120_000,
      );
      expect(reference.registry.nearest(face.embedding)?.name).toBe('lin_manuel_miranda');
    } finally {
      await reference.close();
    }
    await page.close();
  }, 400_000);

  it('shows what happened grouped, with names as titles; filters narrow the list; new events arrive live', async () => {
    const page = await open('#events');
    const cards = page.locator('#events figure.group');
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // A visit: the person with the faces seen on them, each thumbnail titled with its name or label.
    const withFaces = page.locator('#events figure.group:has(.members img)');
    await expect.poll(() => withFaces.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    // the kinds beside the title, without the one the title already says ("person (person)")
    const title = await withFaces.first().locator('figcaption b').textContent();
    expect(await withFaces.first().locator('.kinds').textContent()).toBe(title === 'person' ? '(face)' : '(person, face)');
    for (const title of await withFaces
      .first()
      .locator('.members a')
      .evaluateAll((els) => els.map((e) => e.getAttribute('title')))) {
      expect(title).toMatch(/^(lin_manuel_miranda|barack_obama|unknown face) \(face\)$/);
    }
    await screenshot(page, 'events');

    // By person: only the groups that name him, titled with his name.
    await page.selectOption('#event-filter select[name=name]', 'lin_manuel_miranda');
    await page.locator('#event-filter button[type=submit]').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#events?name=lin_manuel_miranda');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    for (const t of await cards.locator('figcaption b').allTextContents()) expect(t).toBe('lin_manuel_miranda');
    // Its picture is titled with his name too.
    expect(await cards.first().locator('.shot img').getAttribute('title')).toBe('lin_manuel_miranda');
    // By kind and time: nothing from tomorrow.
    const tomorrow = new Date(Date.now() + 86_400_000);
    const local = new Date(tomorrow.getTime() - tomorrow.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    await page.goto(`${url}#events?kind=face&from=${local}`);
    await expect.poll(() => page.locator('#event-status').textContent()).toBe('No events match these filters.');
    expect(await cards.count()).toBe(0);

    // Older events as the list is scrolled, one person event a page: scrolled to the end, every person event is there once.
    const persons = (await get<{ events: { id: string }[] }>('events?kind=person&limit=500')).events.map((e) => e.id);
    expect(persons.length).toBeGreaterThan(1);
    let requests = 0;
    page.on('request', (r) => r.url().includes('/api/events/groups?') && requests++);
    await page.goto(`${url}#events?kind=person&per=1`);
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const more = page.locator('#event-more');
    // Each page adds its cards below the others: the cards shown stay the same elements, not redrawn.
    // (Marked once a second page is in: from then on the live news shows a banner, not a new first page.)
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThan(1);
    const first = await cards.first().getAttribute('data-group');
    await cards.first().evaluate((el) => el.setAttribute('data-seen', 'yes'));
    // Scroll to the button until it is gone (no older page), waiting for each page to come in.
    for (let i = 0; i < 100 && (await more.isVisible()); i++) {
      await more.scrollIntoViewIfNeeded().catch(() => {});
      await page.waitForTimeout(500);
    }
    expect(await more.isVisible()).toBe(false);
    expect(await page.locator(`#events figure[data-group="${first}"]`).getAttribute('data-seen')).toBe('yes');
    const ids = await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-group')));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of persons) expect(ids).toContain(id);
    expect(requests).toBeGreaterThanOrEqual(persons.length);

    // Live: with the page left alone, the clip's next events (a new visit, or a face on a visit) appear in it.
    await page.goto(`${url}#events?camera=stage`);
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const shown = () => page.locator('#events a[href^="#events/"]').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    const before = new Set(await shown());
    // (scrolled past the first page, the page offers them in a banner instead of moving the list)
    const banner = page.locator('#event-new');
    await expect
      .poll(
        async () => {
          if (await banner.isVisible()) await banner.click();
          return (await shown()).some((href) => !before.has(href));
        },
        { timeout: 120_000, interval: 2000 },
      )
      .toBe(true);
    await page.close();
  }, 300_000);

  it('shows a filter for someone no longer enrolled as it filters, not as "anyone"', async () => {
    const page = await open('#events?name=somebody_removed');
    await expect.poll(() => page.locator('#event-filter select[name=name]').inputValue()).toBe('somebody_removed');
    await page.close();
  });

  it('shows one event: snapshot, clean crop, scores, its updates over time; and deletes it', async () => {
    // A stranger's face (deleting Lin's named events would take away his "last seen" below).
    const { events } = await get<{ events: { id: string; snapshot: string | null; sub_label: string | null }[] }>('events?kind=face&in_progress=false');
    const target = events.find((e) => e.snapshot && !e.sub_label);
    expect(target).toBeDefined();
    const page = await open(`#events/${target!.id}`);
    const detail = page.locator(`.event-detail[data-event="${target!.id}"]`);
    await detail.waitFor();
    for (const img of await detail.locator('.shots img').all()) await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.naturalWidth)).toBeGreaterThan(0);
    expect(await detail.locator('.shots img').count()).toBe(2);
    expect(await detail.locator('.facts').textContent()).toMatch(/Score\d+% \(best \d+%\)/);
    expect(await detail.locator('#event-history tbody tr').count()).toBeGreaterThanOrEqual(2);
    expect(await detail.locator('#event-history tbody tr').first().textContent()).toMatch(/start/);
    // An unknown face's page offers to name it: its face is enrolled (or refused by the duplicate check, saying why).
    expect(await detail.locator('#who-this h3').textContent()).toBe('Who is this?');
    await screenshot(page, 'event');
    await detail.locator('#who-form input[name=name]').fill('audience_member');
    // refused as like someone enrolled (409) is one of the two answers this test takes, not an error
    refusals.add(`${origin}/api/faces/audience_member/from-event/${target!.id}`);
    await detail.locator('#who-form button').click();
    await expect.poll(() => detail.locator('#who-result').textContent(), { timeout: 20_000 }).toMatch(/Added (\d+ faces?|this face) to audience_member|looks like "/);
    const said = (await detail.locator('#who-result').textContent()) ?? '';
    const enrolled = /Added this face/.test(said) ? 1 : Number(/Added (\d+) face/.exec(said)?.[1] ?? 0);
    const people = (await get<{ people: { name: string; samples: number }[] }>('faces')).people;
    expect(people.find((p) => p.name === 'audience_member')?.samples ?? 0).toBe(enrolled);
    await detail.locator('#event-delete').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#events');
    const gone = await fetch(`${origin}/api/events/${target!.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(gone.status).toBe(404);
    // A person event is titled "person": its page says whose visit it was, and links the face that named it.
    const visits = (
      await get<{ groups: { id: string; kinds: string[]; events: { id: string; kind: string; sub_label: string | null }[] }[] }>('events/groups?name=lin_manuel_miranda&limit=100')
    ).groups;
    const visit = visits.find((g) => g.kinds[0] === 'person' && g.events.some((e) => e.kind === 'face' && e.sub_label === 'lin_manuel_miranda'));
    expect(visit).toBeDefined();
    await page.goto(`${url}#events/${visit!.id}`);
    const line = page.locator(`.event-detail[data-event="${visit!.id}"] .visit`);
    await expect.poll(() => line.textContent(), { timeout: 10_000 }).toMatch(/^Part of lin_manuel_miranda’s visit, seen with .*lin_manuel_miranda \(face\)/);
    await page.close();
  });

  it('lists people with last seen and events; a person’s samples grid takes dropped photos, deletes one, renames and merges', async () => {
    const page = await open('#people');
    const lin = page.locator('[data-person="lin_manuel_miranda"]');
    await lin.waitFor();
    expect(await lin.textContent()).toMatch(/seen .* ago on stage/);
    expect(await lin.locator('a[href^="#events?name="]').textContent()).toMatch(/^\d+ events?$/);
    await screenshot(page, 'people');

    // A new person from dropped photos, each with its progress bar and result; a text file is refused.
    await page.locator('#enrol input[name=name]').fill('joe');
    const photos = [join(KNOWN, 'joe_biden/1.jpg'), join(KNOWN, 'joe_biden/2.jpg')].map((p) => ({ name: basename(p), data: readFileSync(p).toString('base64') }));
    await page.evaluate((files) => {
      const dt = new DataTransfer();
      for (const f of files) dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: 'image/jpeg' }));
      dt.items.add(new File(['hello'], 'notes.txt', { type: 'text/plain' }));
      document.querySelector('#drop-photos')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, photos);
    await expect.poll(() => page.locator('#enrol-result').textContent(), { timeout: 60_000 }).toBe('Added 2 photos of joe; 1 refused: the reasons are beside each photo.');
    expect(await page.locator('#enrol-progress progress').evaluateAll((els) => els.map((e) => (e as HTMLProgressElement).value))).toEqual([1, 1, 0]);
    expect(await page.locator('#enrol-progress li').allTextContents()).toEqual([
      expect.stringMatching(/1\.jpg\s+added/),
      expect.stringMatching(/2\.jpg\s+added/),
      expect.stringMatching(/notes\.txt\s+not an image/),
    ]);
    const joe = page.locator('[data-person="joe"]');
    await joe.waitFor();
    expect(await joe.textContent()).toMatch(/2 photos · not seen yet/);

    // Add face tapped twice while the upload runs: one upload, one success (the second said "already has this photo").
    await page.locator('#enrol input[name=name]').fill('alex');
    await page.locator('#enrol input[name=file]').setInputFiles(join(KNOWN, 'alex_lacamoire/1.jpg'));
    await page.locator('#enrol button[type=submit]').evaluate((b: HTMLButtonElement) => {
      b.click();
      b.click();
    });
    await expect.poll(() => page.locator('#enrol-result').textContent(), { timeout: 60_000 }).toBe('Added a photo of alex.');
    expect((await get<{ samples: unknown[] }>('faces/alex')).samples).toHaveLength(1);
    // A photo over faces.max_upload_mb (5) is refused before it is sent.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([new Uint8Array(6 * 1024 * 1024)], 'huge.jpg', { type: 'image/jpeg' }));
      document.querySelector('#drop-photos')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.locator('#enrol-progress li').first().textContent()).toMatch(/huge\.jpg\s+6\.0 MB: larger than the 5 MB limit for face photos/);
    expect((await get<{ samples: unknown[] }>('faces/alex')).samples).toHaveLength(1);

    // A second entry for him (forced past the duplicate check), then merged into the first.
    const form = new FormData();
    form.append('file', new Blob([readFileSync(join(KNOWN, 'joe_biden/1.jpg'))], { type: 'image/jpeg' }), '1.jpg');
    const forced = await fetch(`${origin}/api/faces/joseph?force=1`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
    expect(forced.status).toBe(201);
    await page.goto(`${url}#people/joseph`);
    await page.locator('#merge select').selectOption('joe');
    await page.locator('#merge button').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#people/joe');
    await expect.poll(() => page.locator('#samples li').count()).toBe(3);

    // Delete one sample, then rename: blank is asked for again, a phone's ’ lands on the name as stored.
    await page.locator('#samples li .delete-sample').first().click();
    await expect.poll(() => page.locator('#samples li').count()).toBe(2);
    await page.locator('#rename input[name=name]').fill('   ');
    await page.locator('#rename button').click();
    await expect.poll(() => page.locator('#person-result').textContent()).toBe('Type the new name.');
    await page.locator('#rename input[name=name]').fill('joe o’biden');
    await page.locator('#rename button').click();
    await expect.poll(() => page.locator('#person h2').textContent()).toBe("joe o'biden");
    // their id (a Home Assistant person), kept and shown
    await page.locator('#external input[name=external_id]').fill('person.joe');
    await page.locator('#external button').click();
    await expect.poll(() => page.locator('#person-result').textContent()).toBe("joe o'biden's id is person.joe.");
    expect(await page.locator('#external input[name=external_id]').inputValue()).toBe('person.joe');
    await page.locator('#rename input[name=name]').fill('joe_biden');
    await page.locator('#rename button').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#people/joe_biden');
    await expect.poll(() => page.locator('#person h2').textContent()).toBe('joe_biden');
    // Merging into oneself is not offered; a bad rename says why.
    expect(await page.locator('#merge option').allTextContents()).not.toContain('joe_biden');
    refusals.add(`${origin}/api/faces/joe_biden`);
    await page.locator('#rename input[name=name]').fill('barack_obama');
    await page.locator('#rename button').click();
    await expect.poll(() => page.locator('#person-result').textContent()).toMatch(/already a person named "barack_obama"/);

    // His events, from the People page: the Events page filtered by him.
    await page.goto(`${url}#people/lin_manuel_miranda`);
    await page.locator('a[href="#events?name=lin_manuel_miranda"]').first().click();
    await expect.poll(() => page.locator('#event-filter select[name=name]').inputValue()).toBe('lin_manuel_miranda');
    await page.close();

    // A rename takes his past events along: they carry the new name, and the People page counts them.
    const eventsOf = async (name: string) => (await get<{ people: { name: string; events: number }[] }>('people')).people.find((p) => p.name === name)?.events ?? 0;
    const rename = (from: string, to: string) =>
      fetch(`${origin}/api/faces/${from}`, {
        method: 'PATCH',
        body: JSON.stringify({ name: to }),
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
    const his = await eventsOf('lin_manuel_miranda');
    expect(his).toBeGreaterThan(0);
    expect((await rename('lin_manuel_miranda', 'lin')).status).toBe(200);
    expect(await eventsOf('lin')).toBeGreaterThanOrEqual(his);
    expect((await get<{ total: number }>('events?name=lin_manuel_miranda')).total).toBe(0);
    expect((await rename('lin', 'lin_manuel_miranda')).status).toBe(200);
  }, 120_000);

  it('settles a refused photo in a click: which of its faces is the person, or the person its face looks like', async () => {
    const page = await open('#people');
    const drop = async (name: string, photo: string) => {
      await page.locator('#enrol input[name=name]').fill(name);
      const file = { name: basename(photo), data: readFileSync(photo).toString('base64') };
      await page.evaluate((f) => {
        const dt = new DataTransfer();
        dt.items.add(new File([Uint8Array.from(atob(f.data), (c) => c.charCodeAt(0))], f.name, { type: 'image/jpeg' }));
        document.querySelector('#drop-photos')!.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
      }, file);
    };
    // Two faces (Kit Harington and the woman beside him): pick the right-hand one.
    refusals.add(`${origin}/api/faces/kit`);
    await drop('kit', join(FIXTURES, 'faces/probe/kit_with_rose.jpg'));
    const row = page.locator('#enrol-progress li').first();
    await expect.poll(() => row.locator('.outcome').textContent(), { timeout: 60_000 }).toBe('2 faces in this photo: which one is kit?');
    const faces = row.locator('.face-choice');
    await expect.poll(() => faces.count()).toBe(2);
    // each choice is a picture of its face, drawn from the dropped photo
    const inked = await faces.locator('canvas').evaluateAll((cs) =>
      (cs as HTMLCanvasElement[]).map((c) =>
        c
          .getContext('2d')!
          .getImageData(0, 0, c.width, c.height)
          .data.some((v, i) => i % 4 !== 3 && v > 0),
      ),
    );
    expect(inked).toEqual([true, true]);
    await faces.nth(1).click();
    await expect.poll(() => row.locator('.outcome').textContent(), { timeout: 60_000 }).toBe('added');
    // the sample is the second face from the left, as the API lists the photo's faces
    const form = new FormData();
    form.append('file', new Blob([readFileSync(join(FIXTURES, 'faces/probe/kit_with_rose.jpg'))], { type: 'image/jpeg' }), 'kit_with_rose.jpg');
    const listed = (await (await fetch(`${origin}/api/faces/kit_check`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } })).json()) as {
      faces: Array<{ box: number[] }>;
    };
    const kit = await get<{ samples: Array<{ box: number[] }> }>('faces/kit');
    expect(kit.samples.map((x) => x.box)).toEqual([listed.faces[1].box]);
    await page.locator('[data-person="kit"]').waitFor();

    // Obama's face under another name: offered to him instead, or to the new name anyway.
    refusals.add(`${origin}/api/faces/barry`);
    await drop('barry', join(FIXTURES, 'faces/probe/obama1.jpg'));
    await expect.poll(() => row.locator('.outcome').textContent(), { timeout: 60_000 }).toMatch(/^This face looks like barack_obama \(\d+% alike\)\.$/);
    expect(await row.locator('.choices button').allTextContents()).toEqual(['Add to barack_obama instead', 'It is barry: add anyway']);
    const before = (await get<{ samples: unknown[] }>('faces/barack_obama')).samples.length;
    await row.locator('.choices button').first().click();
    await expect.poll(() => row.locator('.outcome').textContent(), { timeout: 60_000 }).toBe('added to barack_obama');
    expect((await get<{ samples: unknown[] }>('faces/barack_obama')).samples.length).toBe(before + 1);
    expect(await page.locator('[data-person="barry"]').count()).toBe(0);
    // The very photo he now has, under another name: said so, and not offered to him again (it would be refused)
    refusals.add(`${origin}/api/faces/barry`);
    await drop('barry', join(FIXTURES, 'faces/probe/obama1.jpg'));
    await expect.poll(() => row.locator('.outcome').textContent(), { timeout: 60_000 }).toBe('barack_obama already has this very photo.');
    expect(await row.locator('.choices button').allTextContents()).toEqual(['It is barry: add anyway']);
    await page.close();
  }, 120_000);

  it('made no request off the machine and logged no console error', () => {
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  });
});
