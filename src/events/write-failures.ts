import type { Logger } from '../log.js';

const diskFull = (err: unknown): boolean => (err as NodeJS.ErrnoException)?.code === 'ENOSPC' || /disk is full|no space left/i.test(String((err as Error)?.message));

/**
 * The event writes' failures in the log. A full data disk is said once, and again when space is
 * back: every event's snapshot, row and log line failing gave three stack traces an event, for as
 * long as the disk stayed full. Any other failure is said each time, as it may be that event's own.
 */
export class WriteFailures {
  private full = false;

  constructor(private readonly logger: Logger) {}

  failed(what: string, err: unknown, level: 'warn' | 'error'): void {
    if (!diskFull(err)) {
      this.logger[level]({ err }, `${what}: check that the data folder is writable and has space`);
      return;
    }
    if (this.full) {
      this.logger.debug(`${what}: the data folder is still full`);
      return;
    }
    this.full = true;
    this.logger.error(
      `${what}: the data folder is full. Until space is freed, events still reach MQTT, Home Assistant and Telegram, but their snapshots, database rows and log lines are not written`,
    );
  }

  /** Whether the last write failed for a full disk (until one goes through). */
  get diskFull(): boolean {
    return this.full;
  }

  /** A write went through: a full disk has space again. */
  succeeded(): void {
    if (!this.full) return;
    this.full = false;
    this.logger.info('the data folder has space again: events are stored again');
  }
}
