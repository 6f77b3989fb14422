import type { StatsReport } from '../../stats/report.js';
import type { MqttConnection } from './connection.js';
import { STATS_TOPIC } from './ha-topics.js';

export interface StatsPublisherOptions {
  mqtt: MqttConnection;
  report: () => StatsReport;
  /** Default 60 s. */
  intervalMs?: number;
}

/**
 * Publishes the stats report on `argus/stats` every minute, retained: HA's diagnostic sensors read
 * it, and a Home Assistant that restarts shows the last figures at once instead of `unknown` for
 * up to a minute (they go unavailable with `argus/available` when Argus stops, so a stale
 * retained report is never shown as live).
 */
export class StatsPublisher {
  private timer?: NodeJS.Timeout;
  private unhook?: () => void;

  constructor(private readonly opts: StatsPublisherOptions) {}

  start(): void {
    this.publish();
    this.timer = setInterval(() => this.publish(), this.opts.intervalMs ?? 60_000);
    this.timer.unref();
    // A restarted broker forgot the retained report.
    this.unhook = this.opts.mqtt.onConnect(({ reconnect }) => reconnect && this.publish());
  }

  stop(): void {
    clearInterval(this.timer);
    this.unhook?.();
  }

  publish(): void {
    this.opts.mqtt.publish(STATS_TOPIC, JSON.stringify(this.opts.report()), { retain: true });
  }
}
