import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertBatcher } from '../../../src/outputs/telegram/alert-batcher.js';
import { openDatabase } from '../../../src/store/database.js';
import { TelegramState } from '../../../src/store/telegram-state.js';

const MINUTE = 60_000;

describe('AlertBatcher', () => {
  let dir = '';
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    dir = mkdtempSync(join(tmpdir(), 'argus-batcher-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A batcher as the Telegram output makes one, its flush times kept in this SQLite file. */
  function batcher(flushed: string[][]) {
    const db = openDatabase(join(dir, 'argus.db'));
    const state = new TelegramState(db);
    const b = new AlertBatcher<string>({
      windowMs: 5000,
      cooldownMs: MINUTE,
      clock: Date.now,
      lastFlush: (key) => state.lastAlert(key),
      flushed: (key, at) => state.setLastAlert(key, at),
      flush: (_key, items) => flushed.push(items),
    });
    return { b, close: () => db.close() };
  }

  it('keeps a camera’s cooldown across a restart: the first alert after it waits out the minute', async () => {
    const before: string[][] = [];
    const first = batcher(before);
    first.b.add('porch:person', 'a');
    await vi.advanceTimersByTimeAsync(5000);
    expect(before).toEqual([['a']]);
    first.close(); // Argus restarts 10 s after that alert
    await vi.advanceTimersByTimeAsync(5000);

    const after: string[][] = [];
    const second = batcher(after);
    second.b.add('porch:person', 'b');
    second.b.add('garden:person', 'c'); // another camera has no cooldown to keep
    await vi.advanceTimersByTimeAsync(5000);
    expect(after).toEqual([['c']]);
    // the minute counts from that alert: 5 s after the restart, 50 s still to wait
    await vi.advanceTimersByTimeAsync(50_000 - 1);
    expect(after).toEqual([['c']]);
    await vi.advanceTimersByTimeAsync(1);
    expect(after).toEqual([['c'], ['b']]);
    second.close();
  });

  it('a kept time in the future (the clock set back) holds a key no longer than one cooldown', async () => {
    const db = openDatabase(join(dir, 'argus.db'));
    new TelegramState(db).setLastAlert('porch:person', Date.now() + 24 * 60 * MINUTE);
    db.close();
    const after: string[][] = [];
    const b = batcher(after);
    b.b.add('porch:person', 'a');
    await vi.advanceTimersByTimeAsync(MINUTE);
    expect(after).toEqual([['a']]);
    b.close();
  });
});
