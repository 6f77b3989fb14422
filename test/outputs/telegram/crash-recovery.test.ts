import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/store/database.js';
import { TelegramBotApiStandIn } from '../../helpers/telegram-bot-api.js';
import { testEvent } from '../../helpers/telegram-snapshot.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CHILD = resolve(ROOT, 'test/helpers/telegram-child.ts');
const CHAT = 4711;

let api: TelegramBotApiStandIn;
let dir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  api = new TelegramBotApiStandIn();
  await api.start();
  dir = mkdtempSync(join(tmpdir(), 'argus-telegram-crash-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the Telegram output in its own process; resolves once it is running. */
async function startChild(event?: object): Promise<{ child: ChildProcess; exited: Promise<unknown>; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, TG_API_ROOT: api.apiRoot, TG_TOKEN: api.token, TG_DB: join(dir, 'argus.db'), TG_CHAT: String(CHAT), TG_EVENT: event ? JSON.stringify(event) : '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise((r) => child.once('exit', r));
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', () => out.includes('ready') && ready());
    child.once('exit', (code) => fail(new Error(`the Telegram child exited (${code}) before it was ready:\n${out}`)));
  });
  return { child, exited, output: () => out };
}

function outboxCount(): number {
  const db = openDatabase(join(dir, 'argus.db'));
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM telegram_outbox').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const photoCalls = () => api.calls.filter((c) => c.method === 'sendPhoto');

describe('Telegram delivery across a SIGKILL', () => {
  it('delivers an alert that was queued but not yet accepted when the process was killed, exactly once after restart', async () => {
    api.failAlways('sendPhoto', { status: 502, description: 'Bad Gateway' });
    const event = testEvent({ kind: 'weapon', label: 'knife' });
    const first = await startChild(event);
    await api.waitFor('a refused send', () => photoCalls().some((c) => c.status === 502));
    first.child.kill('SIGKILL');
    await first.exited;
    expect(outboxCount()).toBe(1);

    api.failAlways('sendPhoto', undefined);
    const second = await startChild();
    await api.waitFor('the alert', () => api.sent('sendPhoto').length >= 1);
    second.child.kill('SIGTERM');
    await second.exited;
    expect(api.sent('sendPhoto')).toHaveLength(1);
    expect(String(api.sent('sendPhoto')[0].params.caption)).toContain('Weapon (knife) at front_door');
    expect(api.sent('sendPhoto')[0].photo).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]));
    expect(outboxCount()).toBe(0);
  });

  it('sends it again after restart when the kill fell between Telegram accepting it and the outbox recording that (at-least-once)', async () => {
    api.failNext('sendPhoto', 'hang'); // Telegram has it, the answer never reaches Argus
    const first = await startChild(testEvent({ kind: 'weapon', label: 'knife' }));
    await api.waitFor('the send in flight', () => photoCalls().length === 1);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(outboxCount()).toBe(1);

    const second = await startChild();
    await api.waitFor('the alert again', () => api.sent('sendPhoto').length >= 1);
    second.child.kill('SIGTERM');
    await second.exited;
    const captions = photoCalls().map((c) => String(c.params.caption));
    expect(captions).toHaveLength(2);
    expect(captions[0]).toBe(captions[1]);
    expect(outboxCount()).toBe(0);
  });
});
