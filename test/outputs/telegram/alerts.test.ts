import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { annotatedSnapshot, BOX_RGB, HAVE_FIXTURES, testEvent } from '../../helpers/telegram-snapshot.js';
import { startHarness, type Harness } from '../../helpers/telegram-harness.js';
import { snapshotLinks } from '../../../src/server/snapshot-links.js';
import { SnapshotSigner } from '../../../src/server/snapshot-signer.js';
import { TelegramState } from '../../../src/store/telegram-state.js';

/** A link per event id (these events have no snapshot), which the tests read back to see the order. */
const linkById = (e: { id: string }) => `http://argus.local/api/events/${e.id}/snapshot.jpg`;

const MUM = 111;
const DAD = 222;
const GARDENER = 333;
const CHATS = [
  { id: MUM, name: 'Mum' },
  { id: DAD, name: 'Dad', kinds: ['weapon', 'known_face', 'person'] },
  { id: GARDENER, name: 'Gardener', cameras: ['garden'] },
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe.skipIf(!HAVE_FIXTURES)('Telegram alerts with a photo (needs ../shared/fixtures)', () => {
  it('sends the annotated fixture photo once to each subscribed chat, captioned with who it is', async () => {
    const box: [number, number, number, number] = [240, 40, 420, 260];
    const jpeg = await annotatedSnapshot('faces/probe/obama1.jpg', 640, 360, box);
    h = await startHarness(
      { chats: CHATS },
      { loadSnapshot: async () => jpeg, snapshotUrl: snapshotLinks({ signer: new SnapshotSigner(Buffer.alloc(32, 7)), ttlSeconds: 3600, publicUrl: 'https://argus.example/' }) },
    );
    const event = testEvent({ kind: 'face', label: 'face', sub_label: 'barack_obama', box, zones: ['porch'], top_score: 0.91, snapshot: 'events/x/snapshot.jpg' });
    h.emit(event);

    await h.api.waitFor('photos to Mum and Dad', () => h!.api.sent('sendPhoto').length >= 2);
    await h.output.stop();
    const photos = h.api.sent('sendPhoto');
    expect(photos.map((p) => Number(p.params.chat_id)).sort()).toEqual([MUM, DAD]);
    for (const p of photos) {
      const caption = String(p.params.caption);
      expect(caption).toContain('barack_obama');
      expect(caption).toContain('front_door');
      expect(caption).toContain('zone: porch');
      expect(caption).toContain('91%');
      expect(caption).toMatch(new RegExp(`🖼 https://argus\\.example/api/events/${event.id}/snapshot\\.jpg\\?exp=\\d+&sig=[0-9a-f]{64}$`));

      const photo = p.photo!;
      expect(photo.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
      const { data, info } = await sharp(photo).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([640, 360]);
      // Middle of the left edge of the box, inside the stroke.
      const x = box[0];
      const y = Math.round((box[1] + box[3]) / 2);
      const at = (y * info.width + x) * info.channels;
      const rgb = [data[at], data[at + 1], data[at + 2]];
      for (const [k, v] of rgb.entries()) expect(Math.abs(v - BOX_RGB[k])).toBeLessThan(60);
      const buttons = (p.params.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard.flat();
      expect(buttons.map((b) => b.callback_data)).toEqual(['snap:front_door', 'mute:front_door']);
    }
  });
});

describe('Telegram alert routing', () => {
  it('turns a burst of person events into one message per chat ("3 people")', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0.3 });
    for (let i = 0; i < 3; i++) h.emit(testEvent());
    const [photo] = await h.api.waitFor('one alert', () => (h!.api.sent('sendMessage').length ? h!.api.sent('sendMessage') : undefined));
    expect(String(photo.params.text)).toContain('3 people at front_door');
    expect(String(photo.params.text)).toContain('3 unknown people');
  });

  it('leaves a person to the alert about their face: a visitor is one push, unless the chat does not hear of faces', async () => {
    const person = testEvent({ kind: 'person' });
    const face = testEvent({ kind: 'face', label: 'face' });
    const links: Record<string, string[]> = { [person.id]: [face.id] };
    h = await startHarness({ chats: CHATS.slice(0, 2), group_window: 0.3 }, { linkedTo: (id) => links[id] ?? [] });
    h.emit(person);
    h.emit(face);
    await h.api.waitFor('an alert to each chat', () => h!.api.sent('sendMessage').length >= 2);
    await h.output.stop();
    const said = h.api.sent('sendMessage').map((c) => `${c.params.chat_id}: ${String(c.params.text).split('\n')[0]}`);
    // Dad's chat hears of known faces only: the person is all it is told
    expect(said.sort()).toEqual([`${MUM}: ❔ Unknown face at front_door`, `${DAD}: 🚶 Person at front_door`].sort());
  });

  it('gathers what arrives during the cooldown into one message when it ends', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0.05, cooldown: 0.5 });
    h.emit(testEvent());
    await h.api.waitFor('the first alert', () => h!.api.sent('sendMessage').length >= 1);
    h.emit(testEvent());
    h.emit(testEvent({ sub_label: 'dad' }));
    await h.api.waitFor('the cooldown summary', () => h!.api.sent('sendMessage').length >= 2);
    await h.output.stop();
    expect(h.api.sent('sendMessage').map((c) => String(c.params.text).split('\n').slice(0, 2).join(' / '))).toEqual([
      '🚶 Person at front_door / Who: unknown person',
      '🚶 2 people at front_door / Who: dad, unknown person',
    ]);
  });

  it('sends every weapon alert at once, never grouped, and an event alerts a chat only once', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 60 });
    const a = testEvent({ kind: 'weapon', label: 'knife' });
    const b = testEvent({ kind: 'weapon', label: 'knife' });
    h.emit(a);
    h.emit(a, 'update');
    h.emit(b);
    await h.api.waitFor('two weapon alerts', () => h!.api.sent('sendMessage').length >= 2);
    await h.output.stop();
    const texts = h.api.sent('sendMessage').map((c) => String(c.params.text));
    expect(texts).toHaveLength(2);
    expect(texts[0]).toContain('Weapon (knife) at front_door');
  });

  it('tells a names-only chat when that person arrives (the name in any case), and no one else; an unknown name is warned of at start', async () => {
    h = await startHarness({ chats: [{ id: MUM, name: 'Mum', names: ['Grandma', 'Uncle Bob'] }], group_window: 0 });
    // the harness's registry holds grandma only
    expect(h.logs.join('')).toContain('telegram.chats: Mum waits for \\"Uncle Bob\\", who is not enrolled in the face registry');
    expect(h.logs.join('')).not.toContain('waits for \\"Grandma\\"');
    h.emit(testEvent({ kind: 'face', sub_label: 'postman' }));
    h.emit(testEvent({ kind: 'person' }));
    h.emit(testEvent({ kind: 'face', sub_label: 'grandma', camera: 'garden' }));
    const [msg] = await h.api.waitFor('grandma', () => (h!.api.sent('sendMessage').length ? h!.api.sent('sendMessage') : undefined));
    await h.output.stop();
    expect(h.api.sent('sendMessage')).toHaveLength(1);
    expect(String(msg.params.text)).toContain('grandma at garden');
  });

  it('holds routine alerts while the HA gate is closed, but not weapons or falls', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 }, { alertGate: () => false });
    h.emit(testEvent({ kind: 'person' }));
    h.emit(testEvent({ kind: 'pose', label: 'hands_up' }));
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    h.emit(testEvent({ kind: 'pose', label: 'fall' }));
    await h.api.waitFor('the weapon and fall alerts', () => h!.api.sent('sendMessage').length >= 2);
    await h.output.stop();
    expect(h.api.sent('sendMessage').map((c) => String(c.params.text).split('\n')[0])).toEqual(['🚨 Weapon (knife) at front_door', '🆘 Fall at front_door']);
  });

  it('keeps delivering to other chats when one chat has blocked the bot, and says so in the log', async () => {
    h = await startHarness({ chats: [{ id: MUM, name: 'Mum' }, { id: DAD }], group_window: 0 });
    h.api.blockChat(MUM);
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    await h.api.waitFor('both alerts to Dad', () => h!.api.sent('sendMessage', DAD).length >= 2);
    await h.outboxEmpty();
    expect(h.api.sent('sendMessage', DAD)).toHaveLength(2);
    expect(h.api.calls.filter((c) => Number(c.params.chat_id) === MUM).map((c) => c.status)).toEqual([403, 403]);
    expect(h.logs.join('')).toContain('Telegram refused an alert for chat 111 (Mum) (403: Forbidden: bot was blocked by the user)');
  });

  it('waits out a 429 for exactly its retry_after, then delivers once', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    h.api.failNext('sendMessage', { status: 429, description: 'Too Many Requests: retry after 7', retryAfter: 7 });
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    await h.api.waitFor('the alert', () => h!.api.sent('sendMessage').length >= 1);
    await h.output.stop();
    expect(h.sleeps).toEqual([7000]);
    expect(h.api.sent('sendMessage')).toHaveLength(1);
    expect(h.api.calls.filter((c) => c.method === 'sendMessage').map((c) => c.status)).toEqual([429, 200]);
  });

  it('delivers 20 alerts after a 10-minute outage (500s, then down) in order, none twice', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0, retry: { min_seconds: 2, max_seconds: 120 } }, { snapshotUrl: linkById });
    h.api.failAlways('sendMessage', { status: 500, description: 'Internal Server Error' });
    const events = Array.from({ length: 20 }, () => testEvent({ kind: 'weapon', label: 'knife' }));
    for (const e of events) h.emit(e);
    await waitSimulated(h, 5 * 60_000);
    await h.api.stop(); // and now it is down altogether
    const downAt = h.simulatedMs();
    await waitSimulated(h, downAt + 5 * 60_000);
    expect(h.simulatedMs()).toBeGreaterThanOrEqual(10 * 60_000);
    h.api.failAlways('sendMessage', undefined);
    await h.api.start();

    await h.api.waitFor('all 20 alerts', () => h!.api.sent('sendMessage').length >= 20, 30_000);
    await h.output.stop();
    const ids = h.api.sent('sendMessage').map((c) => /events\/(\w+)/.exec(String(c.params.text))![1]);
    expect(ids).toEqual(events.map((e) => e.id));
    // Backoff doubled up to its ceiling instead of hammering Telegram.
    expect(Math.max(...h.sleeps)).toBe(120_000);
    expect(h.logs.join('')).toContain('Telegram is not taking alerts (500: Internal Server Error)');
    expect(h.logs.join('')).toContain('Telegram takes alerts again');
    expect(h.logs.join('')).not.toContain(h.api.token);
  });
});

describe('the outbox bound', () => {
  it('drops the oldest non-weapon alerts first during a long outage, with a log line, and delivers the rest in order', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0, cooldown: 0, outbox_limit: 10 }, { snapshotUrl: linkById });
    h.api.failAlways('sendMessage', { status: 503, description: 'Service Unavailable' });
    const count = () => (h!.db.prepare('SELECT COUNT(*) AS n FROM telegram_outbox').get() as { n: number }).n;
    const people = [testEvent(), testEvent({ camera: 'garden' }), testEvent({ camera: 'hall' })];
    for (const [i, e] of people.entries()) {
      h.emit(e);
      while (count() < i + 1) await new Promise((r) => setTimeout(r, 5));
    }
    const weapons = Array.from({ length: 9 }, () => testEvent({ kind: 'weapon', label: 'knife' }));
    for (const e of weapons) h.emit(e);
    await h.api.waitFor('the outbox to fill', () => h!.logs.filter((l) => l.includes('Telegram outbox full')).length >= 2);
    expect(count()).toBe(10);
    expect(h.logs.join('')).toMatch(/Telegram outbox full \(10 alerts waiting\): dropped the oldest alert for chat 111 from front_door/);

    h.api.failAlways('sendMessage', undefined);
    await h.api.waitFor('the rest', () => h!.api.sent('sendMessage').length >= 10);
    await h.outboxEmpty();
    const ids = h.api.sent('sendMessage').map((c) => /events\/(\w+)/.exec(String(c.params.text))![1]);
    // A send already on the wire when the bound dropped its alert may still land (the fake API
    // reads the request body before it picks the answer): only such an alert may come first.
    const kept = [people[2], ...weapons].map((e) => e.id);
    expect(ids.slice(-kept.length)).toEqual(kept);
    expect(ids.slice(0, -kept.length).every((id) => id === people[0].id || id === people[1].id)).toBe(true);
  });
});

describe('a wrong bot token', () => {
  it('keeps the alerts and says to check telegram.token, without logging the token', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0, token: '999:not-the-right-token' });
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    await waitSimulated(h, 10_000);
    const logs = () => h!.logs.join('');
    await h.api.waitFor('the polling complaint', () => logs().includes('Telegram commands unavailable'));
    expect(logs()).toContain('Telegram is not taking alerts (401: Unauthorized — Telegram refused the bot token: check telegram.token');
    expect(logs()).toMatch(/Telegram commands unavailable \(.*401.*check telegram\.token/);
    expect(logs()).not.toContain('not-the-right-token');
    expect(h.api.sent('sendMessage')).toHaveLength(0);
    expect(h.db.prepare('SELECT COUNT(*) AS n FROM telegram_outbox').get()).toEqual({ n: 1 });
  });
});

async function waitSimulated(h: Harness, ms: number): Promise<void> {
  while (h.simulatedMs() < ms) await new Promise((r) => setTimeout(r, 5));
}

describe('alerts held back when the family says stop', () => {
  const alertTexts = (h: Harness) =>
    h.api
      .sent('sendMessage', MUM)
      .map((c) => String(c.params.text).split('\n')[0])
      .filter((t) => !t.startsWith('Disarmed'));

  it('sends nothing gathered during the cooldown once /disarm came', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0.05, cooldown: 0.5 });
    h.emit(testEvent());
    await h.api.waitFor('the first alert', () => h!.api.sent('sendMessage').length >= 1);
    h.emit(testEvent()); // held by the cooldown
    h.api.userMessage(MUM, '/disarm');
    await h.api.waitFor('the disarm answer', () => h!.api.sent('sendMessage').some((c) => String(c.params.text).startsWith('Disarmed')));
    await new Promise((r) => setTimeout(r, 900)); // past the cooldown
    expect(alertTexts(h)).toEqual(['🚶 Person at front_door']);
  });

  it('drops an alert waiting in the outbox (Telegram down) when alerts are disarmed before it leaves', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    h.api.failAlways('sendMessage', { status: 502, description: 'Bad Gateway' });
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    await h.api.waitFor('a failed try', () => h!.logs.some((l) => l.includes('Telegram is not taking alerts')));
    new TelegramState(h.db).setArmed(false); // as /disarm does
    h.api.failAlways('sendMessage', undefined);
    await h.outboxEmpty();
    expect(alertTexts(h)).toEqual([]);
  });

  it('tries again at once for a new alert, not after the rest of the backoff', async () => {
    // real waits here, that a new alert may cut short
    const sleep = (ms: number, signal: AbortSignal) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        const cut = () => {
          clearTimeout(t);
          resolve();
        };
        signal.addEventListener('abort', cut, { once: true });
      });
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0, retry: { min_seconds: 60, max_seconds: 300 } }, { sleep });
    h.api.failAlways('sendMessage', { status: 502, description: 'Bad Gateway' });
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    await h.api.waitFor('a failed try', () => h!.logs.some((l) => l.includes('Telegram is not taking alerts')));
    h.api.failAlways('sendMessage', undefined); // Telegram is back; the sender sleeps 60 s
    h.emit(testEvent({ kind: 'weapon', label: 'knife', camera: 'garden' }));
    await h.api.waitFor('both alerts, well before 60 s', () => alertTexts(h!).length >= 2, 10_000);
    expect(alertTexts(h)).toEqual(['🚨 Weapon (knife) at front_door', '🚨 Weapon (knife) at garden']);
  });
});
