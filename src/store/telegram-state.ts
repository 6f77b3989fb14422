import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

/** Mutes apply to one camera or to all of them. */
export const ALL_CAMERAS = 'all';

/**
 * What Telegram users set with /arm, /disarm and /mute, kept in SQLite so a restart does not
 * quietly re-arm a camera someone muted for the night; and when each camera and kind last
 * alerted, so a restart (or a crash loop) does not skip the cooldown.
 */
export class TelegramState {
  constructor(private readonly db: Db) {
    db.exec(`CREATE TABLE IF NOT EXISTS telegram_state (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  }

  armed(): boolean {
    return this.get('armed') !== 'false';
  }

  setArmed(armed: boolean): void {
    this.set('armed', String(armed));
  }

  /** Mutes `camera` (or `all`) until the given time (ms since the epoch). */
  mute(camera: string, untilMs: number): void {
    this.set(`mute:${camera}`, String(untilMs));
  }

  /** Ends the camera's own mute; `all` ends every mute, each camera's too. */
  unmute(camera: string): void {
    if (camera === ALL_CAMERAS) this.db.prepare("DELETE FROM telegram_state WHERE key LIKE 'mute:%'").run();
    else this.db.prepare('DELETE FROM telegram_state WHERE key = ?').run(`mute:${camera}`);
  }

  /** When the camera's mute (its own or `all`) ends, or null when it is not muted at `now`. */
  mutedUntil(camera: string, now: number): number | null {
    const until = Math.max(Number(this.get(`mute:${camera}`) ?? 0), Number(this.get(`mute:${ALL_CAMERAS}`) ?? 0));
    return until > now ? until : null;
  }

  /** When alerts of `key` (camera and kind) last went out, so a restart keeps their cooldown. */
  lastAlert(key: string): number | undefined {
    const at = this.get(`alerted:${key}`);
    return at === undefined ? undefined : Number(at);
  }

  setLastAlert(key: string, at: number): void {
    this.set(`alerted:${key}`, String(at));
  }

  /**
   * The secret Telegram sends back on each webhook update (`X-Telegram-Bot-Api-Secret-Token`):
   * random, made once and kept, so nobody can work it out, not even from the bot token.
   */
  webhookSecret(): string {
    let secret = this.get('webhook_secret');
    if (!secret) {
      secret = randomBytes(24).toString('hex');
      this.set('webhook_secret', secret);
    }
    return secret;
  }

  private get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM telegram_state WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private set(key: string, value: string): void {
    this.db.prepare('INSERT INTO telegram_state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }
}
