/**
 * Runs a TelegramOutput as its own process, for the crash test: `node --import tsx` this file
 * with TG_API_ROOT, TG_TOKEN, TG_DB, TG_CHAT and optionally TG_EVENT (an ArgusEvent as JSON,
 * emitted once started). Prints "ready" when started; SIGTERM stops it cleanly.
 */
import { EventBus } from '../../src/bus.js';
import type { ArgusEvent } from '../../src/events/event.js';
import { createLogger } from '../../src/log.js';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { telegramSchema } from '../../src/outputs/telegram/config.js';
import { TelegramOutput } from '../../src/outputs/telegram/telegram-output.js';
import { openDatabase } from '../../src/store/database.js';

const env = process.env;
const db = openDatabase(env.TG_DB!);
const bus = new EventBus();
const output = new TelegramOutput({
  kinds: new EventKinds(ANALYZERS),
  config: telegramSchema.parse({
    token: env.TG_TOKEN,
    api_root: env.TG_API_ROOT,
    chats: [{ id: Number(env.TG_CHAT) }],
    group_window: 0,
    retry: { min_seconds: 0.2, max_seconds: 1 },
  }),
  db,
  bus,
  logger: createLogger('info', process.stderr),
  loadSnapshot: async () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]),
  cameraStatuses: () => [],
  snapshotNow: async () => undefined,
  listPeople: () => [],
  enrolFromEvent: async () => ({ ok: false, reason: 'not in this test' }),
  pollTimeout: 1,
});

await output.start();
if (env.TG_EVENT) bus.emit('event', { type: 'start', event: JSON.parse(env.TG_EVENT) as ArgusEvent });
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void output.stop().then(() => {
    db.close();
    process.exit(0);
  });
});
