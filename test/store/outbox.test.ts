import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/store/database.js';
import { TelegramOutbox, TelegramSentLog, type OutboxDraft } from '../../src/store/outbox.js';
import { TelegramState } from '../../src/store/telegram-state.js';

function draft(n: number, weapon = false, photo: Buffer | null = null): OutboxDraft {
  return { chatId: 100 + n, weapon, eventId: `ev${n}`, camera: 'front_door', caption: `alert ${n}`, photo, buttons: [[{ text: 'x', callback_data: `snap:${n}` }]] };
}

let dir: string;
let path: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'argus-outbox-'));
  path = join(dir, 'argus.db');
  db = openDatabase(path);
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('TelegramOutbox', () => {
  it('counts an alert as sent only when Telegram confirmed it, per hour, for the statistics', () => {
    let now = Date.UTC(2026, 10, 23, 10, 15);
    const outbox = new TelegramOutbox(db, 100, () => now);
    outbox.add([draft(1), draft(2), draft(3)]);
    outbox.markSent(outbox.peek()!.id);
    outbox.remove(outbox.peek()!.id); // refused for good
    now += 3600_000;
    outbox.markSent(outbox.peek()!.id);
    expect(outbox.count()).toBe(0);
    const from = Date.UTC(2026, 10, 23) / 1000;
    expect(new TelegramSentLog(db).counts({ from, to: from + 86_400, bucket: 3600, utcOffset: 0 })).toEqual([
      { start: from + 10 * 3600, n: 1 },
      { start: from + 11 * 3600, n: 1 },
    ]);
  });

  it('hands alerts out oldest first and forgets one only when it is removed', () => {
    const outbox = new TelegramOutbox(db, 100);
    const jpeg = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    outbox.add([draft(1, false, jpeg), draft(2)]);
    outbox.add([draft(3, true)]);
    const first = outbox.peek()!;
    expect(first).toMatchObject({ chatId: 101, caption: 'alert 1', eventId: 'ev1', weapon: false, attempts: 0, photo: jpeg });
    expect(first.buttons).toEqual([[{ text: 'x', callback_data: 'snap:1' }]]);
    outbox.recordAttempt(first.id);
    expect(outbox.peek()!.attempts).toBe(1);
    outbox.remove(first.id);
    expect(outbox.peek()!.caption).toBe('alert 2');
    expect(outbox.count()).toBe(2);
  });

  it('survives closing and reopening the database file', () => {
    new TelegramOutbox(db, 100).add([draft(1), draft(2)]);
    db.close();
    db = openDatabase(path);
    const outbox = new TelegramOutbox(db, 100);
    expect(outbox.count()).toBe(2);
    expect(outbox.peek()!.caption).toBe('alert 1');
  });

  it('drops the oldest non-weapon alerts first when full, then the oldest weapons', () => {
    const outbox = new TelegramOutbox(db, 10);
    for (let i = 0; i < 6; i++) outbox.add([draft(i, i % 2 === 0)]); // 0,2,4 weapons
    expect(outbox.add([draft(6), draft(7), draft(8), draft(9)])).toEqual([]);
    const dropped = outbox.add([draft(10), draft(11, true)]);
    expect(dropped.map((d) => [d.chatId, d.weapon])).toEqual([
      [101, false],
      [103, false],
    ]);
    expect(outbox.count()).toBe(10);
    // Fill with weapons only: now the oldest weapons go.
    const onlyWeapons = outbox.add(Array.from({ length: 10 }, (_, i) => draft(20 + i, true)));
    expect(onlyWeapons.filter((d) => !d.weapon).map((d) => d.chatId)).toEqual([105, 106, 107, 108, 109, 110]);
    expect(onlyWeapons.filter((d) => d.weapon).map((d) => d.chatId)).toEqual([100, 102, 104, 111]);
    expect(outbox.peek()!.chatId).toBe(120);
  });
});

describe('TelegramState', () => {
  it('keeps armed and mutes across reopening, and `all` mutes every camera', () => {
    const state = new TelegramState(db);
    expect(state.armed()).toBe(true);
    state.setArmed(false);
    state.mute('garden', 5000);
    expect(state.mutedUntil('garden', 1000)).toBe(5000);
    expect(state.mutedUntil('garden', 6000)).toBeNull();
    expect(state.mutedUntil('front_door', 1000)).toBeNull();
    state.mute('all', 9000);
    expect(state.mutedUntil('front_door', 1000)).toBe(9000);
    db.close();
    db = openDatabase(path);
    const again = new TelegramState(db);
    expect(again.armed()).toBe(false);
    expect(again.mutedUntil('garden', 1000)).toBe(9000);
    again.unmute('all');
    expect(again.mutedUntil('front_door', 1000)).toBeNull();
  });
});
