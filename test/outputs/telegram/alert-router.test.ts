import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventKinds } from '../../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../../src/analyzers/list.js';
import { silentLogger } from '../../../src/log.js';
import { AlertRouter } from '../../../src/outputs/telegram/alert-router.js';
import { telegramSchema } from '../../../src/outputs/telegram/config.js';
import { openDatabase, type Db } from '../../../src/store/database.js';
import { TelegramOutbox } from '../../../src/store/outbox.js';
import { TelegramState } from '../../../src/store/telegram-state.js';
import { testEvent } from '../../helpers/telegram-snapshot.js';

describe('AlertRouter', () => {
  let dir = '';
  let db: Db;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    dir = mkdtempSync(join(tmpdir(), 'argus-router-'));
    db = openDatabase(join(dir, 'argus.db'));
  });
  afterEach(() => {
    vi.useRealTimers();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rests a proctor incident’s camera 10 s, not telegram.cooldown: the invigilator hears of the next one at once', async () => {
    const outbox = new TelegramOutbox(db, 100, Date.now);
    const router = new AlertRouter({
      chats: telegramSchema.parse({ token: '123:abc', chats: [{ id: 1 }] }).chats,
      kinds: new EventKinds(ANALYZERS),
      state: new TelegramState(db),
      outbox,
      onQueued: () => {},
      loadSnapshot: async () => undefined,
      windowMs: 100,
      cooldownMs: 60_000,
      clock: Date.now,
      logger: silentLogger(),
    });
    const incident = () => testEvent({ kind: 'suspicious', label: 'phone', sub_label: 'A1' });
    const person = () => testEvent({ camera: 'hall' });
    router.handle({ type: 'start', event: incident() });
    router.handle({ type: 'start', event: person() });
    await vi.advanceTimersByTimeAsync(200);
    expect(outbox.count()).toBe(2);
    // 2 s later, one more of each: the incident goes once its 10 s are up, the person waits the minute
    await vi.advanceTimersByTimeAsync(2000);
    router.handle({ type: 'start', event: incident() });
    router.handle({ type: 'start', event: person() });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(outbox.count()).toBe(3);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(outbox.count()).toBe(4);
  });
});
