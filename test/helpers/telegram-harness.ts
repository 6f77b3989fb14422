import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { EventBus } from '../../src/bus.js';
import type { ArgusEvent } from '../../src/events/event.js';
import { createLogger } from '../../src/log.js';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { telegramSchema } from '../../src/outputs/telegram/config.js';
import { TelegramOutput, type TelegramOutputOptions } from '../../src/outputs/telegram/telegram-output.js';
import { openDatabase, type Db } from '../../src/store/database.js';
import type { CameraStatus } from '../../src/sources/frame.js';
import { TelegramBotApiStandIn } from './telegram-bot-api.js';

export interface Harness {
  api: TelegramBotApiStandIn;
  bus: EventBus;
  db: Db;
  dbPath: string;
  output: TelegramOutput;
  logs: string[];
  /** Every wait the outbox asked for, in ms (simulated: no real time passes). */
  sleeps: number[];
  /** Simulated time spent waiting by the outbox. */
  simulatedMs(): number;
  enrolled: Array<{ name: string; eventId: string }>;
  snapshotsTaken: string[];
  /** Resolves once every alert left the outbox (delivered, or dropped for good). */
  outboxEmpty(): Promise<void>;
  emit(event: ArgusEvent, type?: 'start' | 'update' | 'end'): void;
  close(): Promise<void>;
}

export function cameraStatus(name: string, over: Partial<CameraStatus> = {}): CameraStatus {
  return {
    name,
    enabled: true,
    connected: true,
    fps: 5,
    framesReceived: 10,
    framesDropped: 0,
    reconnects: 0,
    lastError: null,
    lastFrameTime: null,
    width: 640,
    height: 360,
    ...over,
  };
}

/**
 * A TelegramOutput against the Bot API stand-in and a real SQLite file. The outbox's waits are
 * simulated (each returns at once and adds to `simulatedMs`), so hours of backoff take moments.
 */
export async function startHarness(config: Record<string, unknown>, over: Partial<TelegramOutputOptions> = {}, api = new TelegramBotApiStandIn()): Promise<Harness> {
  if (!api.running) await api.start();
  const dir = mkdtempSync(join(tmpdir(), 'argus-telegram-'));
  const dbPath = join(dir, 'argus.db');
  const db = openDatabase(dbPath);
  const bus = new EventBus();
  const logs: string[] = [];
  const logger = createLogger(
    'debug',
    new Writable({
      write: (c, _e, cb) => {
        logs.push(String(c));
        cb();
      },
    }),
  );
  const sleeps: number[] = [];
  let simulated = 0;
  const enrolled: Harness['enrolled'] = [];
  const snapshotsTaken: string[] = [];
  const output = new TelegramOutput({
    kinds: new EventKinds(ANALYZERS),
    config: telegramSchema.parse({ token: api.token, api_root: api.apiRoot, group_window: 0.2, ...config }),
    db,
    bus,
    logger,
    loadSnapshot: async () => undefined,
    cameraStatuses: () => [cameraStatus('front_door'), cameraStatus('garden', { connected: false, fps: 0, lastError: 'connection refused' })],
    snapshotNow: async (camera) => {
      snapshotsTaken.push(camera);
      return Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    },
    listPeople: () => [{ name: 'grandma', samples: 3 }],
    enrolFromEvent: async (name, eventId) => {
      enrolled.push({ name, eventId });
      return { ok: true };
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      simulated += ms;
      await new Promise((r) => setTimeout(r, 2));
    },
    pollTimeout: 5,
    ...over,
  });
  await output.start();
  return {
    api,
    bus,
    db,
    dbPath,
    output,
    logs,
    sleeps,
    simulatedMs: () => simulated,
    enrolled,
    snapshotsTaken,
    outboxEmpty: async () => {
      const count = db.prepare('SELECT COUNT(*) AS n FROM telegram_outbox');
      for (let i = 0; (count.get() as { n: number }).n > 0; i++) {
        if (i > 2000) throw new Error('the Telegram outbox did not empty within 20 s');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    emit: (event, type = 'start') => bus.emit('event', { type, event }),
    close: async () => {
      await output.stop();
      await api.stop();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
