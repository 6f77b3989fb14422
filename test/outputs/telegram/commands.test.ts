import { afterEach, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/outputs/telegram/commands.js';
import { startHarness, type Harness } from '../../helpers/telegram-harness.js';
import { testEvent } from '../../helpers/telegram-snapshot.js';

const MUM = 111;
const STRANGER = 999;

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A user writes in a chat; resolves with the bot's next text answer there. */
async function ask(h: Harness, chatId: number, text: string, extra: Record<string, unknown> = {}): Promise<string> {
  const before = h.api.sent('sendMessage', chatId).length;
  h.api.userMessage(chatId, text, extra);
  const sent = await h.api.waitFor(`an answer to ${text}`, () => h.api.sent('sendMessage', chatId)[before]);
  return String(sent.params.text);
}

describe('Telegram commands', () => {
  it('registers its commands with setMyCommands', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    const [call] = await h.api.waitFor('setMyCommands', () => (h!.api.sent('setMyCommands').length ? h!.api.sent('setMyCommands') : undefined));
    expect((call.params.commands as Array<{ command: string }>).map((c) => c.command)).toEqual(COMMANDS.map((c) => c.command));
    expect(COMMANDS.map((c) => c.command)).toEqual(['start', 'status', 'snapshot', 'arm', 'disarm', 'mute', 'faces', 'help']);
  });

  it('tells any chat its id on /start, and whether it is allowed', async () => {
    h = await startHarness({ chats: [{ id: MUM, name: 'Mum' }] });
    expect(await ask(h, STRANGER, '/start')).toContain(`This chat's id is ${STRANGER}. It is not allowed yet`);
    expect(await ask(h, MUM, '/start')).toMatch(/This chat's id is 111\. It is allowed \(as Mum\)/);
  });

  it('refuses an unknown chat once, politely, and sends it no snapshot, status or names', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    expect(await ask(h, STRANGER, '/snapshot front_door')).toBe('Sorry, this chat is not allowed to use Argus. Send /start to see its id.');
    h.api.userMessage(STRANGER, '/status');
    h.api.userMessage(STRANGER, '/faces');
    await h.api.handled();
    expect(h.api.sent('sendMessage', STRANGER)).toHaveLength(1);
    expect(h.api.sent('sendPhoto')).toHaveLength(0);
    expect(h.snapshotsTaken).toEqual([]);
  });

  it('/snapshot sends a picture from the camera now', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    h.api.userMessage(MUM, '/snapshot front_door');
    const [photo] = await h.api.waitFor('the snapshot', () => (h!.api.sent('sendPhoto', MUM).length ? h!.api.sent('sendPhoto', MUM) : undefined));
    expect(h.snapshotsTaken).toEqual(['front_door']);
    expect(photo.photo).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect(await ask(h, MUM, '/snapshot attic')).toContain('Which camera?');
  });

  it('/snapshot and /mute take a camera name whatever its case (a phone capitalises the first word)', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    h.api.userMessage(MUM, '/snapshot Front_door');
    await h.api.waitFor('the photo', () => h!.api.sent('sendPhoto', MUM)[0]);
    expect(h.snapshotsTaken).toEqual(['front_door']);
    expect(await ask(h, MUM, '/mute Garden 1h')).toMatch(/^garden muted until/);
  });

  it('/snapshot only shows the cameras a chat is subscribed to', async () => {
    h = await startHarness({ chats: [{ id: MUM, cameras: ['garden'] }] });
    expect(await ask(h, MUM, '/snapshot front_door')).toBe('Which camera? /snapshot <camera>, one of: garden');
    expect(h.snapshotsTaken).toEqual([]);
  });

  it('answers a command after a 429 (too many requests), once its retry_after has passed; the answer was lost', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    h.api.failNext('sendMessage', { status: 429, description: 'Too Many Requests: retry after 1', retryAfter: 1 });
    h.api.userMessage(MUM, '/status');
    const answered = await h.api.waitFor('the answer, sent again', () => h!.api.sent('sendMessage', MUM).find((c) => c.status === 200));
    expect(String(answered.params.text)).toContain('Argus is armed');
    const tries = h.api.calls.filter((c) => c.method === 'sendMessage' && Number(c.params.chat_id) === MUM);
    expect(tries.map((c) => c.status)).toEqual([429, 200]);
  });

  it('/status lists cameras with fps and whether Argus is armed; /faces lists people', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    const status = await ask(h, MUM, '/status');
    expect(status).toContain('Argus is armed');
    expect(status).toContain('front_door: online, 5.0 fps');
    expect(status).toContain('garden: offline — connection refused');
    expect(await ask(h, MUM, '/faces')).toBe('• grandma: 3 samples');
    expect(await ask(h, MUM, '/help')).toContain('/mute — ');
  });

  it('/status says when this machine cannot keep up with a camera (its load from the stats)', async () => {
    const load = (analyzed: number, overloaded: boolean) => ({ motion_fps: 5, analyzed_fps: analyzed, essential_fps: 0.5, overloaded });
    let loads = { front_door: load(3.1, true), garden: load(0, true) };
    h = await startHarness({ chats: [{ id: MUM }] }, { cameraLoads: () => loads });
    const status = await ask(h, MUM, '/status');
    expect(status).toContain('front_door: online, 5.0 fps, only 52 % of motion analysed in full (too much for this machine)');
    // an offline camera is offline, whatever its counters say
    expect(status).toContain('garden: offline — connection refused');
    expect(status).not.toMatch(/garden.*too much/);
    loads = { front_door: load(5, false), garden: load(0, false) };
    expect(await ask(h, MUM, '/status')).toMatch(/front_door: online, 5\.0 fps$/m);
  });

  it("tells the other chats when one disarms or arms (every chat's alerts stop), once per change", async () => {
    const DAD = 222;
    h = await startHarness({
      chats: [
        { id: MUM, name: 'Mum' },
        { id: DAD, name: 'Dad' },
      ],
    });
    expect(await ask(h, DAD, '/disarm')).toBe('Disarmed: no alerts until /arm.');
    await h.api.waitFor("Mum's notice", () => h!.api.sent('sendMessage', MUM)[0]);
    expect(String(h.api.sent('sendMessage', MUM)[0].params.text)).toBe('🔕 Alerts are off for every chat (/disarm from Dad); /arm turns them on.');
    // already disarmed: nothing new to tell
    expect(await ask(h, DAD, '/disarm')).toBe('Disarmed: no alerts until /arm.');
    expect(await ask(h, MUM, '/arm')).toBe('Armed: alerts are on.');
    await h.api.waitFor("Dad's notice", () => h!.api.sent('sendMessage', DAD).find((c) => String(c.params.text).startsWith('🔔')));
    expect(h.api.sent('sendMessage', MUM).map((c) => String(c.params.text).slice(0, 2))).toEqual(['🔕', 'Ar']);
    expect(String(h.api.sent('sendMessage', DAD).at(-1)!.params.text)).toBe('🔔 Alerts are on again (/arm from Mum).');
  });

  it('/disarm stops alerts until /arm; /mute silences one camera', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    expect(await ask(h, MUM, '/disarm')).toBe('Disarmed: no alerts until /arm.');
    h.emit(testEvent({ kind: 'weapon', label: 'knife', camera: 'front_door' }));
    expect(await ask(h, MUM, '/arm')).toBe('Armed: alerts are on.');
    expect(await ask(h, MUM, '/mute front_door 2h')).toMatch(/^front_door muted until (?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d\.$/);
    expect(await ask(h, MUM, '/mute front_door soon')).toContain('is not a duration');
    h.emit(testEvent({ kind: 'weapon', label: 'knife', camera: 'front_door' }));
    h.emit(testEvent({ kind: 'weapon', label: 'knife', camera: 'garden' }));
    const alerts = await h.api.waitFor('the garden alert', () => {
      const a = h!.api.sent('sendMessage', MUM).filter((c) => String(c.params.text).includes('Weapon'));
      return a.length ? a : undefined;
    });
    expect(alerts.map((c) => String(c.params.text).split('\n')[0])).toEqual(['🚨 Weapon (knife) at garden']);
    expect(await ask(h, MUM, '/status')).toMatch(/front_door: online, 5\.0 fps \(muted until (?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d\)/);
  });

  it('says the truth about unmuting a camera while all are muted; /mute all off ends every mute', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    expect(await ask(h, MUM, '/mute garden 1h')).toMatch(/^garden muted until/);
    expect(await ask(h, MUM, '/mute all 2h')).toMatch(/^All cameras muted until (?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d\.$/);
    expect(await ask(h, MUM, '/mute front_door off')).toMatch(
      /^front_door is still muted until (?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d: all cameras are \(\/mute all off ends that\)\.$/,
    );
    expect(await ask(h, MUM, '/mute all off')).toBe('All cameras unmuted.');
    expect(await ask(h, MUM, '/status')).not.toContain('muted');
  });

  it('refuses a mute longer than 30 days, and gives the day of one that ends on another', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    expect(await ask(h, MUM, '/mute garden 400d')).toBe('"400d" is too long: a mute lasts at most 30d (or use /disarm).');
    expect(await ask(h, MUM, '/mute garden 3d')).toMatch(/^garden muted until [A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d\d:\d\d\.$/);
  });

  it('/mute all from a chat that sees some cameras mutes those only', async () => {
    const GRANDPA = 666;
    h = await startHarness({ chats: [{ id: MUM }, { id: GRANDPA, cameras: ['garden'] }], group_window: 0 });
    expect(await ask(h, GRANDPA, '/mute all 1h')).toMatch(/^garden muted until (?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d\.$/);
    const status = await ask(h, MUM, '/status');
    expect(status).toMatch(/garden: .*\(muted until/);
    expect(status).not.toMatch(/front_door: .*muted/);
  });
});

describe('Telegram alert buttons', () => {
  it('"Add to faces…" asks for a name and enrols the face under the reply', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    const face = testEvent({ kind: 'face', label: 'face', sub_label: null });
    h.emit(face);
    const [alert] = await h.api.waitFor('the unknown-face alert', () => (h!.api.sent('sendMessage', MUM).length ? h!.api.sent('sendMessage', MUM) : undefined));
    const message = alert.result as Record<string, unknown>;
    const buttons = (message.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }).inline_keyboard.flat();
    const add = buttons.find((b) => b.text.startsWith('➕ Add to faces'))!;
    expect(add.callback_data).toBe(`enrol:${face.id}`);

    h.api.pressButton(MUM, message, add.callback_data);
    const prompt = await h.api.waitFor('the name question', () => h!.api.sent('sendMessage', MUM)[1]);
    expect(String(prompt.params.text)).toContain('Who is this?');
    expect(prompt.params.reply_markup).toMatchObject({ force_reply: true });
    expect(h.api.sent('answerCallbackQuery')).toHaveLength(1);

    const answer = await ask(h, MUM, 'Grandma Rose', { reply_to_message: prompt.result });
    expect(answer).toBe('Added to faces as Grandma Rose.');
    expect(h.enrolled).toEqual([{ name: 'Grandma Rose', eventId: face.id }]);
  });

  it('reports the registry refusing a duplicate enrolment in family words (no event id, no "pass force")', async () => {
    const reason =
      'the face in 1796657668.882-3p3ckw looks like "grandma" (similarity 0.912, threshold 0.71): add it to "grandma" instead, or pass force to enrol it as "Rose" anyway';
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 }, { enrolFromEvent: async () => ({ ok: false, reason }) });
    const face = testEvent({ kind: 'face', label: 'face', sub_label: null });
    h.emit(face);
    const [alert] = await h.api.waitFor('the alert', () => (h!.api.sent('sendMessage', MUM).length ? h!.api.sent('sendMessage', MUM) : undefined));
    h.api.pressButton(MUM, alert.result as Record<string, unknown>, `enrol:${face.id}`);
    const prompt = await h.api.waitFor('the name question', () => h!.api.sent('sendMessage', MUM)[1]);
    expect(await ask(h, MUM, 'Rose', { reply_to_message: prompt.result })).toBe('Not added: this face looks like "grandma": add it to "grandma" instead');
  });

  it('answers a reply to a name question asked before a restart, instead of saying nothing', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    const old = {
      message_id: 77,
      date: 0,
      chat: { id: MUM, type: 'private' },
      from: { id: 1, is_bot: true, first_name: 'Argus' },
      text: 'Who is this? Reply to this message with their name.',
    };
    expect(await ask(h, MUM, 'Uncle Joe', { reply_to_message: old })).toBe('That question is from before Argus restarted: press ➕ Add to faces… under the alert again.');
    expect(h.enrolled).toEqual([]);
  });

  it('"Snapshot now" sends a fresh picture from the alert\'s camera', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    h.emit(testEvent({ kind: 'weapon', label: 'knife', camera: 'garden' }));
    const [alert] = await h.api.waitFor('the alert', () => (h!.api.sent('sendMessage', MUM).length ? h!.api.sent('sendMessage', MUM) : undefined));
    h.api.pressButton(MUM, alert.result as Record<string, unknown>, 'snap:garden');
    const [photo] = await h.api.waitFor('the snapshot', () => (h!.api.sent('sendPhoto', MUM).length ? h!.api.sent('sendPhoto', MUM) : undefined));
    expect(h.snapshotsTaken).toEqual(['garden']);
    expect(String(photo.params.caption)).toContain('garden');
    expect(h.api.sent('answerCallbackQuery')).toHaveLength(1);
  });

  it('"Mute this camera 1 h" mutes it and turns the button into Unmute', async () => {
    h = await startHarness({ chats: [{ id: MUM }], group_window: 0 });
    h.emit(testEvent({ kind: 'weapon', label: 'knife' }));
    const [alert] = await h.api.waitFor('the alert', () => (h!.api.sent('sendMessage', MUM).length ? h!.api.sent('sendMessage', MUM) : undefined));
    h.api.pressButton(MUM, alert.result as Record<string, unknown>, 'mute:front_door');
    const [edit] = await h.api.waitFor('the keyboard edit', () => (h!.api.sent('editMessageReplyMarkup').length ? h!.api.sent('editMessageReplyMarkup') : undefined));
    const data = (edit.params.reply_markup as { inline_keyboard: Array<Array<{ callback_data: string }>> }).inline_keyboard.flat().map((b) => b.callback_data);
    expect(data).toEqual(['snap:front_door', 'unmute:front_door']);
    const [answer] = h.api.sent('answerCallbackQuery');
    expect(String(answer.params.text)).toMatch(/^front_door muted until (?:[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} )?\d\d:\d\d$/);
    expect(await ask(h, MUM, '/status')).toContain('(muted until');
  });

  it('answers a button pressed in an unknown chat with a refusal only', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    h.api.pressButton(STRANGER, { message_id: 1, date: 0, chat: { id: STRANGER, type: 'private' } }, 'snap:front_door');
    const [answer] = await h.api.waitFor('the refusal', () => (h!.api.sent('answerCallbackQuery').length ? h!.api.sent('answerCallbackQuery') : undefined));
    expect(answer.params.text).toBe('This chat is not allowed to use Argus.');
    expect(h.snapshotsTaken).toEqual([]);
  });
});
