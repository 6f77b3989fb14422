import { appendFile, mkdir, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import type { EventMessage } from './event.js';

/** `YYYY-MM-DD` of a time (seconds since the epoch) in the local time zone, as a person reads the day. */
export function localDay(time: number): string {
  const d = new Date(time * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * Appends every event message to `<data>/logs/YYYY-MM-DD.jsonl`, one JSON object a line, filed
 * by the day the message was written: a plain record that outlives database pruning.
 */
export class EventLog {
  private ready?: Promise<unknown>;
  /** Appends run one after another, so a failed one can be undone before the next begins. */
  private last: Promise<unknown> = Promise.resolve();

  constructor(readonly dir: string) {}

  /** The file a message written at `time` goes to. */
  pathFor(time: number): string {
    return join(this.dir, `${localDay(time)}.jsonl`);
  }

  async append(message: EventMessage, time = Date.now() / 1000): Promise<void> {
    this.ready ??= mkdir(this.dir, { recursive: true });
    await this.ready;
    const line = `${JSON.stringify({ time, ...message })}\n`;
    const done = this.last.then(() => this.write(this.pathFor(time), line));
    this.last = done.catch(() => undefined);
    return done;
  }

  /** One line, whole or not at all: a write cut short (a full disk) is cut back, so the next line starts on its own. */
  private async write(path: string, line: string): Promise<void> {
    const before = await stat(path).then(
      (s) => s.size,
      () => 0,
    );
    try {
      await appendFile(path, line);
    } catch (err) {
      await truncate(path, before).catch(() => undefined);
      throw err;
    }
  }
}
