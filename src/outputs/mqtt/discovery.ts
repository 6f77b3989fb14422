import type { Logger } from '../../log.js';
import type { MqttConnection } from './connection.js';
import { bridgeConfig, cameraConfig, type CameraSubject, type DiscoveryContext } from './discovery-payload.js';
import type { HaStore } from './ha-store.js';
import { BRIDGE_DEVICE_ID, cameraDeviceId, deviceConfigTopic, PEOPLE_DEVICE_ID } from './ha-topics.js';
import { peopleConfig, type PersonSubject } from './people-discovery.js';

/** What HA should have devices for now. */
export interface DiscoverySubjects {
  cameras: CameraSubject[];
  people: PersonSubject[];
}

export interface HaDiscoveryOptions extends Omit<DiscoveryContext, 'topic'> {
  mqtt: MqttConnection;
  store: HaStore;
  /** Asked at each announce: cameras (Argus' and Frigate's) and enrolled people change while Argus runs. */
  subjects: () => DiscoverySubjects;
  discoveryPrefix: string;
  logger: Logger;
}

/**
 * Device-based discovery (`<prefix>/device/<id>/config`), retained, QoS 1. Like zigbee2mqtt, a
 * config is published only when it differs from what was published last (remembered in SQLite),
 * and the config of a camera (or the people device) whose subject went away is cleared with an
 * empty retained payload.
 */
export class HaDiscovery {
  constructor(private readonly opts: HaDiscoveryOptions) {}

  /** The configs Argus wants HA to hold now, by topic. */
  wanted(): Map<string, string> {
    const { discoveryPrefix: prefix } = this.opts;
    const out = new Map<string, string>();
    const ctx: DiscoveryContext = { ...this.opts, topic: (path) => this.opts.mqtt.topic(path) };
    const { cameras, people } = this.opts.subjects();
    out.set(deviceConfigTopic(prefix, BRIDGE_DEVICE_ID), JSON.stringify(bridgeConfig(ctx)));
    for (const camera of cameras) out.set(deviceConfigTopic(prefix, cameraDeviceId(camera.name)), JSON.stringify(cameraConfig(ctx, camera)));
    if (people.length) out.set(deviceConfigTopic(prefix, PEOPLE_DEVICE_ID), JSON.stringify(peopleConfig(ctx, people)));
    return out;
  }

  /** `force` re-sends every config (HA came online and may have forgotten them). */
  announce(force = false): void {
    const { mqtt, store, logger } = this.opts;
    const before = store.publishedConfigs();
    const wanted = this.wanted();
    let sent = 0;
    for (const [topic, payload] of wanted) {
      if (!force && before.get(topic) === payload) continue;
      mqtt.publishExternal(topic, payload, { retain: true, qos: 1 });
      store.savePublished(topic, payload);
      sent++;
    }
    for (const topic of before.keys()) {
      if (wanted.has(topic)) continue;
      mqtt.publishExternal(topic, '', { retain: true, qos: 1 });
      store.forgetPublished(topic);
      logger.info(`Home Assistant discovery: removed ${topic} (its camera left the config, or no one is enrolled)`);
    }
    if (sent > 0) logger.info(`Home Assistant discovery: published ${sent} device config(s)`);
  }
}
