import type { Db } from './database.js';

/** One Telegram alert for one chat, as written before it is sent. */
export interface OutboxDraft {
  chatId: number;
  /** Weapon alerts are the last to be dropped when the outbox is full. */
  weapon: boolean;
  eventId: string | null;
  camera: string;
  caption: string;
  /** The annotated JPEG; null sends the caption as a text message. */
  photo: Buffer | null;
  /** Inline keyboard rows as Telegram's JSON (`[[{ text, callback_data }]]`). */
  buttons: Array<Array<{ text: string; callback_data: string }>>;
}

export interface OutboxItem extends OutboxDraft {
  id: number;
  createdAt: number;
  attempts: number;
}

/** What the bound removed, for the log line. */
export interface DroppedAlert {
  id: number;
  chatId: number;
  weapon: boolean;
  camera: string;
  createdAt: number;
}

interface Row {
  id: number;
  chat_id: number;
  weapon: number;
  event_id: string | null;
  camera: string;
  caption: string;
  photo: Buffer | null;
  buttons: string;
  created_at: number;
  attempts: number;
}

/**
 * The Telegram outbox: an alert is committed here before it is sent and removed only after
 * Telegram confirmed it, so a crash, restart or outage loses nothing (at-least-once). Items go
 * out in insertion order. The table is bounded: past `limit`, the oldest non-weapon alerts are
 * dropped first, then the oldest weapon alerts.
 */
export class TelegramOutbox {
  constructor(
    private readonly db: Db,
    private readonly limit: number,
    private readonly clock: () => number = Date.now,
    private readonly sent = new TelegramSentLog(db),
  ) {
    db.exec(`CREATE TABLE IF NOT EXISTS telegram_outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      chat_id INTEGER NOT NULL,
      weapon INTEGER NOT NULL,
      event_id TEXT,
      camera TEXT NOT NULL,
      caption TEXT NOT NULL,
      photo BLOB,
      buttons TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0
    )`);
  }

  /** Commits the drafts (one transaction) and returns what the bound had to drop to make room. */
  add(drafts: OutboxDraft[]): DroppedAlert[] {
    const insert = this.db.prepare(
      `INSERT INTO telegram_outbox (chat_id, weapon, event_id, camera, caption, photo, buttons, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const overflow = this.db.prepare(
      `SELECT id, chat_id AS chatId, weapon, camera, created_at AS createdAt FROM telegram_outbox
       ORDER BY weapon ASC, id ASC LIMIT ?`,
    );
    const remove = this.db.prepare('DELETE FROM telegram_outbox WHERE id = ?');
    return this.db.transaction(() => {
      const now = this.clock();
      for (const d of drafts) {
        insert.run(d.chatId, d.weapon ? 1 : 0, d.eventId, d.camera, d.caption, d.photo, JSON.stringify(d.buttons), now);
      }
      const excess = this.count() - this.limit;
      if (excess <= 0) return [];
      const rows = overflow.all(excess) as Array<Omit<DroppedAlert, 'weapon'> & { weapon: number }>;
      const dropped = rows.map((r) => ({ ...r, weapon: r.weapon === 1 }));
      for (const d of dropped) remove.run(d.id);
      return dropped;
    })();
  }

  /** The oldest alert still waiting, or undefined when all were delivered. */
  peek(): OutboxItem | undefined {
    const row = this.db.prepare('SELECT * FROM telegram_outbox ORDER BY id ASC LIMIT 1').get() as Row | undefined;
    return row && toItem(row);
  }

  /** Called once Telegram refused the alert for good: it goes without counting as sent. */
  remove(id: number): void {
    this.db.prepare('DELETE FROM telegram_outbox WHERE id = ?').run(id);
  }

  /** Called once Telegram confirmed the alert: it leaves the outbox and is counted as sent, in one transaction. */
  markSent(id: number): void {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT camera, weapon FROM telegram_outbox WHERE id = ?').get(id) as { camera: string; weapon: number } | undefined;
      if (row) this.sent.record(row.camera, row.weapon === 1, this.clock());
      this.remove(id);
    })();
  }

  recordAttempt(id: number): void {
    this.db.prepare('UPDATE telegram_outbox SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM telegram_outbox').get() as { n: number }).n;
  }
}

/** Sent alerts per bucket of time (the statistics page); `start` is the bucket's first second, UTC. */
export interface SentCount {
  start: number;
  n: number;
}

/** A year of sent alerts is kept for the statistics; older rows go as new ones come. */
const SENT_KEEP_MS = 366 * 86_400_000;

/**
 * One row per alert Telegram confirmed (the outbox itself forgets an alert once it is sent): the
 * "notifications sent" chart counts these. Its own class, so the statistics read it with Telegram off.
 */
export class TelegramSentLog {
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telegram_sent (time INTEGER NOT NULL, camera TEXT NOT NULL, weapon INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS telegram_sent_time ON telegram_sent (time);`);
  }

  /** `time` in ms since the epoch. */
  record(camera: string, weapon: boolean, time: number): void {
    this.db.prepare('INSERT INTO telegram_sent (time, camera, weapon) VALUES (?, ?, ?)').run(time, camera, weapon ? 1 : 0);
    this.db.prepare('DELETE FROM telegram_sent WHERE time < ?').run(time - SENT_KEEP_MS);
  }

  /** Alerts sent in [from, to) (seconds), per `bucket` seconds, buckets starting at the reader's midnight or hour (`utcOffset` seconds east of UTC). */
  counts(q: { from: number; to: number; bucket: number; utcOffset: number }): SentCount[] {
    return this.db
      .prepare(
        `SELECT CAST((CAST((time / 1000.0 + @offset) / @bucket AS INTEGER) * @bucket) - @offset AS INTEGER) AS start, COUNT(*) AS n
         FROM telegram_sent WHERE time >= @from * 1000 AND time < @to * 1000 GROUP BY start ORDER BY start`,
      )
      .all({ offset: q.utcOffset, bucket: q.bucket, from: q.from, to: q.to }) as SentCount[];
  }
}

function toItem(r: Row): OutboxItem {
  return {
    id: r.id,
    chatId: r.chat_id,
    weapon: r.weapon === 1,
    eventId: r.event_id,
    camera: r.camera,
    caption: r.caption,
    photo: r.photo,
    buttons: JSON.parse(r.buttons) as OutboxDraft['buttons'],
    createdAt: r.created_at,
    attempts: r.attempts,
  };
}
