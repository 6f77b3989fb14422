import type { Logger } from '../log.js';
import type { EventStore } from '../store/events.js';
import type { EventsConfig } from './config.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface EventRetentionOptions {
  retain: EventsConfig['retain'];
  store: EventStore;
  snapshots: SnapshotStore;
  /** Events still going on: their snapshots are never pruned. */
  activeIds: () => ReadonlySet<string>;
  logger: Logger;
  /** Seconds since the epoch; tests pass a fake clock. */
  now?: () => number;
  /** How often to prune (ms); the first run is at start(). */
  everyMs?: number;
}

const DAY = 86_400;
const MB = 1024 * 1024;

/** Keeps `<data>/snapshots/` and the events table within `retain.days` and `retain.max_mb`. */
export class EventRetention {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly opts: EventRetentionOptions) {}

  start(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), this.opts.everyMs ?? 3_600_000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: old events go (rows and files), then the oldest snapshots until under the size cap. */
  prune(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { retain, store, snapshots, logger } = this.opts;
    const now = this.opts.now?.() ?? Date.now() / 1000;
    try {
      const old = store.deleteStartedBefore(now - retain.days * DAY);
      for (const id of old) await snapshots.remove(id);
      const trimmed = await snapshots.pruneToSize(retain.max_mb * MB, this.opts.activeIds());
      store.clearSnapshots(trimmed);
      if (old.length || trimmed.length) {
        logger.info(`retention: deleted ${old.length} event(s) older than ${retain.days} days, and ${trimmed.length} snapshot(s) over ${retain.max_mb} MB`);
      }
    } catch (err) {
      logger.error({ err }, 'could not prune old events and snapshots: check that the data folder is writable');
    }
  }
}
