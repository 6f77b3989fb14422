import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { abortableSleep, OutboxSender } from '../../../src/outputs/telegram/outbox-sender.js';
import { openDatabase } from '../../../src/store/database.js';
import { TelegramOutbox } from '../../../src/store/outbox.js';

/** Which settles first: `p`, or `ms` of real time (then 'late'). */
const within = <T>(p: Promise<T>, ms: number) => Promise.race([p.then(() => 'done' as const), new Promise<'late'>((r) => setTimeout(() => r('late'), ms))]);

describe('abortableSleep', () => {
  it('ends at once for a signal aborted before it began (an aborted signal fires no more events)', async () => {
    const stop = new AbortController();
    stop.abort();
    expect(await within(abortableSleep(60_000, stop.signal), 1000)).toBe('done');
  });
});

describe('OutboxSender.stop', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-sender-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('returns at once when a send in flight fails after the stop began: the alert stays for the next start', async () => {
    const outbox = new TelegramOutbox(openDatabase(join(dir, 'argus.db')), 100);
    outbox.add([{ chatId: 1, weapon: false, eventId: 'e1', camera: 'door', caption: 'Person', photo: null, buttons: [] }]);
    let fail = (_err: Error) => {};
    const sending = new Promise<void>((r) => {
      fail = (err) => r(void err);
    });
    const sender = new OutboxSender({
      outbox,
      // Telegram unreachable: the send fails, but only once stop() has aborted the loop
      send: async () => {
        await sending;
        throw Object.assign(new Error('Network request failed'), { code: 'ECONNREFUSED' });
      },
      chatName: (id) => `chat ${id}`,
      retry: { minMs: 60_000, maxMs: 60_000 },
      logger: silentLogger(),
      redact: (t) => t,
    });
    sender.start();
    await new Promise((r) => setTimeout(r, 20));
    const stopped = sender.stop(30_000);
    fail(new Error('refused'));
    // It slept out its 60-s backoff (and Argus' 10-s stop limit killed the process before events ended).
    expect(await within(stopped, 2000)).toBe('done');
    expect(outbox.count()).toBe(1);
  });
});
