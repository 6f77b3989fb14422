import { createConnection, ERR_INVALID_AUTH, subscribeEntities, type Connection } from 'home-assistant-js-websocket';
import type { ArgusEvent } from '../../events/event.js';
import type { Logger } from '../../log.js';
import type { SnapshotUrl } from '../../server/snapshot-links.js';
import { activeGate, AlertGate } from './alert-gate.js';
import type { AlertGateConfig } from './config.js';
import { createHaSocket } from './ha-socket.js';

export interface HomeAssistantClientOptions {
  /** Websocket URL (`ws://supervisor/core/websocket` in the add-on; see resolveHaTarget). */
  url: string;
  token: string;
  logger: Logger;
  /** HA event type fired per detection (default `argus_detection`). */
  eventType?: string;
  alertGate?: AlertGateConfig;
  /** Signed snapshot links (absolute with `server.public_url`) for the event data's `snapshot_url`. */
  snapshotUrl?: SnapshotUrl;
  /** First delay between attempts while HA cannot be reached at start (doubles up to 60 s). */
  retryMs?: number;
}

export type HaClientStatus = 'stopped' | 'connecting' | 'connected' | 'disconnected' | 'auth_failed';

/**
 * Home Assistant's websocket API: fires an HA event per detection and reads the alert gate's
 * entity live. Unreachable at start: retried with back-off; lost later: the library reconnects.
 * A refused token stops the retries and says what to do, once (no crash loop).
 */
export class HomeAssistantClient {
  private conn?: Connection;
  private retry?: NodeJS.Timeout;
  private unsubscribeEntities?: () => void;
  private readonly alertGate?: AlertGate;
  private stopped = true;
  /** The gate entity's state last seen; undefined after a disconnect so the next update always counts. */
  private gateSeen: string | null | undefined;
  status: HaClientStatus = 'stopped';
  /** A sentence for the status page when something is wrong; null while connected. */
  lastError: string | null = null;

  constructor(private readonly opts: HomeAssistantClientOptions) {
    const gate = activeGate(opts.alertGate);
    if (gate) this.alertGate = new AlertGate(gate);
  }

  start(): void {
    this.stopped = false;
    this.status = 'connecting';
    void this.connect(this.opts.retryMs ?? 2000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.status = 'stopped';
    clearTimeout(this.retry);
    this.unsubscribeEntities?.();
    this.unsubscribeEntities = undefined;
    this.conn?.close();
    this.conn = undefined;
  }

  /** True when alerts may go out now; always true without an alert gate. */
  gate(): boolean {
    return this.alertGate ? this.alertGate.allows() : true;
  }

  /**
   * Fires `argus_detection` (HA's `fire_event` command: the library's fireEvent only reaches
   * listeners in this process). Call it at each event start. Returns false when HA is not connected.
   */
  async fireDetection(event: ArgusEvent): Promise<boolean> {
    const conn = this.conn;
    if (!conn || this.status !== 'connected') {
      this.opts.logger.debug(`Home Assistant not connected: event ${event.id} not fired`);
      return false;
    }
    await conn.sendMessagePromise({ type: 'fire_event', event_type: this.opts.eventType ?? 'argus_detection', event_data: this.eventData(event) });
    return true;
  }

  private eventData(e: ArgusEvent): Record<string, unknown> {
    const snapshot = this.opts.snapshotUrl ? this.opts.snapshotUrl(e) : e.snapshot;
    return {
      id: e.id,
      camera: e.camera,
      kind: e.kind,
      label: e.label,
      sub_label: e.sub_label,
      score: e.score,
      zones: e.zones,
      box: e.box,
      start_time: e.start_time,
      snapshot_url: snapshot,
      attributes: e.attributes ?? {},
    };
  }

  private async connect(delayMs: number): Promise<void> {
    const { url, token, logger } = this.opts;
    try {
      const conn = await createConnection({ createSocket: () => createHaSocket(url, token) });
      if (this.stopped) {
        conn.close();
        return;
      }
      this.conn = conn;
      this.connected();
      conn.addEventListener('ready', () => this.connected());
      conn.addEventListener('disconnected', () => {
        this.status = 'disconnected';
        this.lastError = `lost the connection to Home Assistant at ${url}; reconnecting`;
        this.alertGate?.update(null);
        this.gateSeen = undefined;
        logger.warn(this.lastError);
      });
      conn.addEventListener('reconnect-error', (_c, err) => {
        if (err === ERR_INVALID_AUTH) this.authFailed();
      });
      if (this.alertGate) this.watchGate(conn, this.alertGate);
    } catch (err) {
      if (this.stopped) return;
      if (err === ERR_INVALID_AUTH) return this.authFailed();
      const first = this.lastError === null;
      this.lastError = `cannot reach Home Assistant at ${url}: is it running, and is the address right? Retrying.`;
      if (first) logger.warn(this.lastError);
      this.retry = setTimeout(() => void this.connect(Math.min(delayMs * 2, 60_000)), delayMs);
    }
  }

  private connected(): void {
    this.status = 'connected';
    this.lastError = null;
    this.opts.logger.info(`connected to Home Assistant at ${this.opts.url}`);
  }

  private authFailed(): void {
    this.status = 'auth_failed';
    this.lastError = this.opts.url.includes('supervisor')
      ? 'Home Assistant refused the Supervisor token: the add-on needs `homeassistant_api: true` in its manifest'
      : 'Home Assistant refused the access token: create a long-lived access token (HA profile → Security) and set homeassistant.token';
    this.opts.logger.error(this.lastError);
    this.conn?.close();
    this.conn = undefined;
  }

  private watchGate(conn: Connection, gate: AlertGate): void {
    this.unsubscribeEntities = subscribeEntities(conn, (entities) => {
      const state = entities[gate.entity]?.state ?? null;
      if (state === this.gateSeen) return;
      this.gateSeen = state;
      gate.update(state);
      this.opts.logger.info(`alert gate: ${gate.describe()}`);
    });
  }
}
