import { describe, expect, it } from 'vitest';
import { decodeAction, alertButtons } from '../../../src/outputs/telegram/buttons.js';
import { renderCaption } from '../../../src/outputs/telegram/caption.js';
import { EventKinds } from '../../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../../src/analyzers/list.js';
import { chatsWanting, inQuietHours } from '../../../src/outputs/telegram/chat-routing.js';
import { telegramSchema } from '../../../src/outputs/telegram/config.js';
import { parseDuration } from '../../../src/outputs/telegram/duration.js';
import { testEvent } from '../../helpers/telegram-snapshot.js';

const kinds = new EventKinds(ANALYZERS);
const at = (hh: number, mm = 0) => new Date(2026, 10, 23, hh, mm);
const chats = (list: unknown[]) => telegramSchema.parse({ token: 't', chats: list }).chats;

describe('Telegram config', () => {
  it('fills in defaults and accepts quoted chat ids', () => {
    const c = telegramSchema.parse({ token: 't', chats: [{ id: '-1001234' }] });
    expect(c.chats[0]).toEqual({ id: -1001234, cameras: [], names: [] });
    expect(c).toMatchObject({ api_root: 'https://api.telegram.org', mode: 'polling', cooldown: 60, group_window: 5, outbox_limit: 500 });
  });

  it('refuses what would fail later, naming the key', () => {
    expect(() => telegramSchema.parse({ token: 't', api_root: 'http://localhost:8081/' })).toThrow(/without a trailing slash/);
    expect(() => telegramSchema.parse({ token: 't', chats: [{ id: 'me' }] })).toThrow(/numeric chat id/);
    expect(() => telegramSchema.parse({ token: 't', chats: [{ id: 1, quiet_hours: { start: '25:00', end: '07:00' } }] })).toThrow(/22:00/);
    // as a schedule's window reads them: the same start and end refused, 7:00 and 24:00 taken, a missing end named
    const quiet = (q: unknown) => telegramSchema.safeParse({ token: 't', chats: [{ id: 1, quiet_hours: q }] });
    expect(quiet({ start: '22:00', end: '22:00' }).error?.issues[0].message).toMatch(/start and end at the same time, so they would never be quiet/);
    expect(quiet({ start: '22:00', end: '7:00' }).success).toBe(true);
    expect(quiet({ start: '20:00', end: '24:00' }).success).toBe(true);
    expect(quiet({ start: '22:00' }).error?.issues[0].message).toBe('missing: give a time such as 07:00');
    expect(() => telegramSchema.parse({ token: 't', mode: 'webhook' })).toThrow(/telegram.webhook_url/);
  });
});

describe('which chats hear about an event', () => {
  it('splits faces into known and unknown', () => {
    expect(kinds.alertOf(testEvent({ kind: 'face', sub_label: 'grandma' }))?.name).toBe('known_face');
    expect(kinds.alertOf(testEvent({ kind: 'face', sub_label: null }))?.name).toBe('unknown_face');
    expect(kinds.alertOf(testEvent({ kind: 'pose' }))?.name).toBe('pose');
    expect(kinds.alertOf(testEvent({ kind: 'pose', label: 'fall' }))?.name).toBe('fall');
    expect(kinds.alertOf(testEvent({ kind: 'suspicious', label: 'phone', sub_label: 'A1' }))?.name).toBe('proctor');
    expect(kinds.alertOf(testEvent({ kind: 'cheating' }))).toBeUndefined();
  });

  it('filters by camera, kind and name', () => {
    const list = chats([{ id: 1 }, { id: 2, cameras: ['garden'] }, { id: 3, kinds: ['weapon'] }, { id: 4, names: ['grandma'] }]);
    const ids = (e: ReturnType<typeof testEvent>) => chatsWanting(list, e, at(12), kinds).map((c) => c.id);
    expect(ids(testEvent({ camera: 'front_door', kind: 'person' }))).toEqual([1]);
    expect(ids(testEvent({ camera: 'garden', kind: 'weapon', label: 'knife' }))).toEqual([1, 2, 3]);
    expect(ids(testEvent({ camera: 'front_door', kind: 'face', sub_label: 'grandma' }))).toEqual([1, 4]);
  });

  it('sends falls to chats that chose falls alone, and still to those that chose pose', () => {
    const list = chats([
      { id: 1, kinds: ['fall'] },
      { id: 2, kinds: ['pose'] },
      { id: 3, kinds: ['person'] },
    ]);
    const ids = (e: ReturnType<typeof testEvent>) => chatsWanting(list, e, at(12), kinds).map((c) => c.id);
    expect(ids(testEvent({ kind: 'pose', label: 'fall' }))).toEqual([1, 2]);
    expect(ids(testEvent({ kind: 'pose', label: 'person' }))).toEqual([2]);
    expect(ids(testEvent({ kind: 'pose', label: 'hands_up' }))).toEqual([2]);
  });

  it('keeps quiet hours (spanning midnight) for everything but weapons and falls', () => {
    const list = chats([{ id: 1, quiet_hours: { start: '22:00', end: '07:00' } }]);
    expect(chatsWanting(list, testEvent({ kind: 'person' }), at(23, 30), kinds)).toEqual([]);
    expect(chatsWanting(list, testEvent({ kind: 'person' }), at(6, 59), kinds)).toEqual([]);
    expect(chatsWanting(list, testEvent({ kind: 'person' }), at(7, 0), kinds)).toHaveLength(1);
    expect(chatsWanting(list, testEvent({ kind: 'weapon' }), at(23, 30), kinds)).toHaveLength(1);
    expect(chatsWanting(list, testEvent({ kind: 'pose', label: 'fall' }), at(23, 30), kinds)).toHaveLength(1);
    expect(chatsWanting(list, testEvent({ kind: 'pose', label: 'hands_up' }), at(23, 30), kinds)).toEqual([]);
    expect(inQuietHours({ start: '13:00', end: '14:00' }, at(13, 30))).toBe(true);
    expect(inQuietHours({ start: '13:00', end: '14:00' }, at(14, 0))).toBe(false);
  });
});

describe('what an alert says', () => {
  it('names who, the camera, zones, score, local time and the link', () => {
    const e = testEvent({ kind: 'face', sub_label: 'grandma', zones: ['porch'], top_score: 0.876, start_time: at(14, 3).getTime() / 1000 });
    const link = (ev: { id: string }) => `https://argus.example/api/events/${ev.id}/snapshot.jpg?exp=1&sig=ab`;
    expect(renderCaption([e], kinds, link, at(14, 4).getTime())).toBe(
      ['🙂 grandma at front_door', 'Who: grandma', 'Camera: front_door · zone: porch', 'Score: 88% · 2026-11-23 14:03:00', `🖼 ${link(e)}`].join('\n'),
    );
    // sent well after it began (still open when quiet hours ended): said, so the time does not read as a stale alert
    expect(renderCaption([e], kinds, link, at(14, 16).getTime()).split('\n')[3]).toBe('Score: 88% · 2026-11-23 14:03:00, started 13 min ago');
    expect(renderCaption([e], kinds, link, at(17, 30).getTime()).split('\n')[3]).toBe('Score: 88% · 2026-11-23 14:03:00, started 3 h ago');
    // A relative link (no server.public_url) is no use in a chat and is left out.
    expect(renderCaption([e], kinds, () => `events/${e.id}/snapshot.jpg?exp=1&sig=ab`)).not.toContain('events/');
  });

  it('says "unknown person" and counts a burst; a weapon has no Who line (nobody may be in view)', () => {
    expect(
      renderCaption([testEvent({ kind: 'weapon', label: 'knife' })], kinds)
        .split('\n')
        .slice(0, 2),
    ).toEqual(['🚨 Weapon (knife) at front_door', 'Camera: front_door']);
    expect(renderCaption([testEvent({ kind: 'pose', label: 'fall' })], kinds).split('\n')[0]).toBe('🆘 Fall at front_door');
    const burst = [testEvent(), testEvent({ sub_label: 'dad' }), testEvent()];
    expect(renderCaption(burst, kinds).split('\n').slice(0, 2)).toEqual(['🚶 3 people at front_door', 'Who: dad, 2 unknown people']);
  });

  it('names a proctor incident by seat and cue, and the seat’s candidate as who (a seat is no person)', () => {
    const incident = (seat: string, cue: string, candidate: string | null) => testEvent({ kind: 'suspicious', label: cue, sub_label: seat, attributes: { seat, cue, candidate } });
    expect(
      renderCaption([incident('A1', 'phone', 'alice')], kinds)
        .split('\n')
        .slice(0, 3),
    ).toEqual(['📝 Seat A1: phone at front_door', 'Who: candidate alice', 'Camera: front_door']);
    const burst = [incident('A1', 'left_seat', null), incident('A2', 'looking_away', null), incident('A1', 'left_seat', null)];
    const lines = renderCaption(burst, kinds).split('\n');
    expect(lines[0]).toMatch(/^📝 3 incidents \(A1: .+, A2: .+\) at front_door$/);
    expect(lines[1]).toBe('Camera: front_door');
    // the exam's name, when the session was given one
    const named = testEvent({ kind: 'suspicious', label: 'phone', sub_label: 'A1', attributes: { seat: 'A1', cue: 'phone', session_name: 'Maths paper 2' } });
    expect(renderCaption([named], kinds).split('\n')[0]).toBe('📝 Maths paper 2 · Seat A1: phone at front_door');
  });

  it('has no Who line for objects (two bins are not two unknown people)', () => {
    const bins = [testEvent({ kind: 'object', label: 'bin' }), testEvent({ kind: 'object', label: 'bin' })];
    expect(renderCaption(bins, kinds).split('\n').slice(0, 2)).toEqual(['📦 2 objects (bin) at front_door', 'Camera: front_door']);
  });

  it('names each saved pose of a burst with its count, and no event count as people (one body raises several)', () => {
    const burst = [
      testEvent({ kind: 'pose', label: 'low_thr' }),
      testEvent({ kind: 'pose', label: 'hands_up' }),
      testEvent({ kind: 'pose', label: 'low_thr' }),
      testEvent({ kind: 'pose', label: 'hands_up', sub_label: 'dad' }),
      testEvent({ kind: 'pose', label: 'lin_stance' }),
    ];
    expect(renderCaption(burst, kinds).split('\n').slice(0, 2)).toEqual(['🤸 5 poses (low_thr ×2, hands_up ×2, lin_stance) at front_door', 'Who: dad']);
    expect(renderCaption(burst.slice(0, 2), kinds).split('\n').slice(0, 2)).toEqual(['🤸 2 poses (low_thr, hands_up) at front_door', 'Camera: front_door']);
  });

  it("keeps a caption within Telegram's 1024 characters, link included", () => {
    const many = Array.from({ length: 200 }, (_, i) => testEvent({ kind: 'face', sub_label: `person_number_${i}` }));
    const caption = renderCaption(many, kinds, (ev) => `https://argus.example/api/events/${ev.id}/snapshot.jpg?exp=1&sig=${'a'.repeat(64)}`);
    expect(caption.length).toBeLessThanOrEqual(1024);
    expect(caption).toContain('https://argus.example/api/events/');
  });

  it('offers "Add to faces…" only on an unknown face, and its data decodes back', () => {
    const unknown = testEvent({ kind: 'face', sub_label: null });
    const buttons = alertButtons(unknown, kinds.alertOf(unknown)).flat();
    expect(buttons.map((b) => b.text)).toEqual(['📷 Snapshot now', '🔕 Mute this camera 1 h', '➕ Add to faces…']);
    expect(buttons.map((b) => decodeAction(b.callback_data))).toEqual([
      { kind: 'snap', camera: 'front_door' },
      { kind: 'mute', camera: 'front_door' },
      { kind: 'enrol', eventId: unknown.id },
    ]);
    const known = testEvent({ kind: 'face', sub_label: 'grandma' });
    expect(alertButtons(known, kinds.alertOf(known)).flat()).toHaveLength(2);
    const long = testEvent({ kind: 'face', id: 'x'.repeat(80) });
    expect(alertButtons(long, kinds.alertOf(long)).flat()).toHaveLength(2);
    expect(decodeAction('launch:missiles')).toBeUndefined();
  });

  it('reads durations like 30m, 2h, 1h30m, 1d', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('0m')).toBeUndefined();
  });
});
