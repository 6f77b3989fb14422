import type { Logger } from '../../log.js';
import type { MqttConnection } from './connection.js';
import type { HaStore } from './ha-store.js';
import { cameraTopics, PAUSE_SET_FILTER } from './ha-topics.js';

export interface HaPauseSwitchOptions {
  mqtt: MqttConnection;
  store: HaStore;
  cameras: string[];
  logger: Logger;
  /** Told at start for every paused camera, and on every change. */
  onPause: (camera: string, paused: boolean) => void;
}

/**
 * The per-camera "Pause detection" switch: `ON`/`OFF` on `argus/<camera>/pause/set`, the state
 * echoed retained on `argus/<camera>/pause` and kept in SQLite so a restart keeps it.
 */
export class HaPauseSwitch {
  private unsubscribe?: () => void;

  constructor(private readonly opts: HaPauseSwitchOptions) {}

  start(): void {
    const { mqtt, cameras, store, onPause } = this.opts;
    const byTopic = new Map(cameras.map((c) => [mqtt.topic(cameraTopics(c).pauseSet), c]));
    this.unsubscribe = mqtt.subscribe(PAUSE_SET_FILTER, (topic, payload) => {
      const camera = byTopic.get(topic);
      if (camera) this.command(camera, payload.toString().trim());
    });
    for (const camera of cameras) {
      if (!store.isPaused(camera)) continue;
      onPause(camera, true);
      this.opts.logger.info(`${camera}: detection stays paused, as it was left; resume it on the Cameras page or with Home Assistant's Pause detection switch`);
    }
    this.publishAll();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  isPaused(camera: string): boolean {
    return this.opts.store.isPaused(camera);
  }

  publishAll(): void {
    for (const camera of this.opts.cameras) this.publishState(camera);
  }

  private command(camera: string, payload: string): void {
    const want = payload.toUpperCase();
    if (want !== 'ON' && want !== 'OFF') {
      this.opts.logger.warn(`pause switch of ${camera}: ignored "${payload.slice(0, 40)}"; send ON or OFF`);
      return;
    }
    this.set(camera, want === 'ON', 'Home Assistant');
  }

  /** Pauses or resumes a camera (from HA or the web UI: one state), and publishes it; `from` is for the log. */
  set(camera: string, paused: boolean, from: string): void {
    const { store, logger, onPause } = this.opts;
    if (store.isPaused(camera) !== paused) {
      store.setPaused(camera, paused);
      logger.info(`detection on ${camera} ${paused ? 'paused' : 'resumed'} from ${from}`);
      onPause(camera, paused);
    }
    this.publishState(camera);
  }

  private publishState(camera: string): void {
    const { mqtt, store } = this.opts;
    mqtt.publish(cameraTopics(camera).pause, store.isPaused(camera) ? 'ON' : 'OFF', { retain: true, qos: 1 });
  }
}
