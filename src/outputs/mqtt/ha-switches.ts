import type { SwitchControl } from '../../analyzers/analyzer.js';
import type { Logger } from '../../log.js';
import type { MqttConnection } from './connection.js';
import { cameraTopics } from './ha-topics.js';

export interface HaSwitchesOptions {
  mqtt: MqttConnection;
  /** Each switch key with the cameras that have it (those raising the kind that declares it). */
  cameras: Record<string, readonly string[]>;
  controls: Record<string, SwitchControl>;
  logger: Logger;
}

/**
 * Analyzer switches (`SwitchSpec`): `ON`/`OFF` on `<camera>/<key>/set` goes to the switch's
 * control, and its state is published retained on `<camera>/<key>` at start, after each
 * command and whenever the control says it changed (a session started over the API).
 */
export class HaSwitches {
  private readonly undo: Array<() => void> = [];

  constructor(private readonly opts: HaSwitchesOptions) {}

  start(): void {
    const { mqtt, controls, cameras } = this.opts;
    for (const [key, control] of Object.entries(controls)) {
      const on = cameras[key] ?? [];
      if (on.length === 0) continue;
      const byTopic = new Map(on.map((c) => [mqtt.topic(`${cameraTopics(c).entity(key)}/set`), c]));
      this.undo.push(
        mqtt.subscribe(`+/${key}/set`, (topic, payload) => {
          const camera = byTopic.get(topic);
          if (camera) this.command(key, control, camera, payload.toString().trim());
        }),
        control.onChange((camera) => {
          if (on.includes(camera)) this.publish(key, control, camera);
        }),
      );
    }
    this.publishAll();
  }

  stop(): void {
    for (const undo of this.undo.splice(0)) undo();
  }

  publishAll(): void {
    for (const [key, control] of Object.entries(this.opts.controls)) for (const camera of this.opts.cameras[key] ?? []) this.publish(key, control, camera);
  }

  private command(key: string, control: SwitchControl, camera: string, payload: string): void {
    const want = payload.toUpperCase();
    if (want !== 'ON' && want !== 'OFF') {
      this.opts.logger.warn(`${key} switch of ${camera}: ignored "${payload.slice(0, 40)}"; send ON or OFF`);
      return;
    }
    if (control.get(camera) !== (want === 'ON')) {
      this.opts.logger.info(`${key} on ${camera} turned ${want} from MQTT`);
      control.set(camera, want === 'ON');
    }
    // also when nothing changed: the command's sender sees the real state
    this.publish(key, control, camera);
  }

  private publish(key: string, control: SwitchControl, camera: string): void {
    this.opts.mqtt.publish(cameraTopics(camera).entity(key), control.get(camera) ? 'ON' : 'OFF', { retain: true, qos: 1 });
  }
}
