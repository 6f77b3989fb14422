import type { Logger } from '../../log.js';
import type { MqttConnection } from './connection.js';
import { bridgeConfig, cameraConfig, type CameraSubject, type DiscoveryContext } from './discovery-payload.js';
import type { HaStore } from './ha-store.js';
import { bridgeDeviceId, cameraDeviceId, deviceConfigTopic, peopleDeviceId } from './ha-topics.js';
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
  private wanted(): Map<string, string> {
    const { discoveryPrefix: prefix } = this.opts;
    const out = new Map<string, string>();
    const ctx: DiscoveryContext = { ...this.opts, topic: (path) => this.opts.mqtt.topic(path) };
    const { cameras, people } = this.opts.subjects();
    const ids = this.opts.idPrefix;
    out.set(deviceConfigTopic(prefix, bridgeDeviceId(ids)), JSON.stringify(bridgeConfig(ctx)));
    for (const camera of cameras) out.set(deviceConfigTopic(prefix, cameraDeviceId(ids, camera.name)), JSON.stringify(cameraConfig(ctx, camera)));
    if (people.length) out.set(deviceConfigTopic(prefix, peopleDeviceId(ids)), JSON.stringify(peopleConfig(ctx, people)));
    return out;
  }

  /** `force` re-sends every config (HA came online and may have forgotten them). */
  announce(force = false): void {
    const { mqtt, store, logger } = this.opts;
    const before = store.publishedConfigs();
    const wanted = new Map([...this.wanted()].map(([topic, payload]) => [topic, withRemovals(payload, before.get(topic))]));
    const kept = new Set([...wanted.values()].flatMap((payload) => stateTopics(payload)));
    const dropped: string[] = [];
    let sent = 0;
    for (const [topic, payload] of wanted) {
      const previous = before.get(topic);
      if (previous !== undefined) dropped.push(...stateTopics(previous));
      if (!force && previous === payload) continue;
      mqtt.publishExternal(topic, payload, { retain: true, qos: 1 });
      store.savePublished(topic, payload);
      sent++;
    }
    for (const [topic, previous] of before) {
      if (wanted.has(topic)) continue;
      dropped.push(...stateTopics(previous));
      mqtt.publishExternal(topic, '', { retain: true, qos: 1 });
      store.forgetPublished(topic);
      logger.info(`Home Assistant discovery: removed ${topic} (its camera left the config, or no one is enrolled)`);
    }
    // The retained states of entities that went away, so no reader (HA, Node-RED) finds a stale `ON`.
    for (const topic of new Set(dropped)) if (!kept.has(topic)) mqtt.publishExternal(topic, '', { retain: true, qos: 1 });
    // mqtt.js holds them until the broker is back: say so, not "published" (HA has none yet)
    if (sent > 0) logger.info(`Home Assistant discovery: ${mqtt.connected ? 'published' : 'queued (the broker is not connected yet)'} ${sent} device config(s)`);
  }
}

type Payload = { cmps?: Record<string, Record<string, unknown>> } & Record<string, unknown>;

/**
 * A device config with each component it had before and lacks now kept as `{ p: platform }`: HA
 * removes a component of a device only when told so; one left out of the config is left as it was.
 * The stubs stay in later configs, so an HA that was offline at the change still removes them.
 */
function withRemovals(payload: string, previous: string | undefined): string {
  if (previous === undefined) return payload;
  const now = JSON.parse(payload) as Payload;
  const old = (JSON.parse(previous) as Payload).cmps ?? {};
  const gone = Object.entries(old).filter(([id]) => !now.cmps?.[id]);
  if (gone.length === 0) return payload;
  return JSON.stringify({ ...now, cmps: { ...now.cmps, ...Object.fromEntries(gone.map(([id, c]) => [id, { p: c.p }])) } });
}

/** The retained topics a device config reads its states from (not the ones it sends commands to). */
function stateTopics(payload: string): string[] {
  const config = JSON.parse(payload) as Payload;
  const topicsOf = (fields: Record<string, unknown>): string[] => [
    ...Object.entries(fields)
      .filter(([key, value]) => key.endsWith('_topic') && key !== 'command_topic' && typeof value === 'string')
      .map(([, value]) => value as string),
    ...(Array.isArray(fields.availability) ? (fields.availability as Array<{ topic?: unknown }>).flatMap((a) => (typeof a.topic === 'string' ? [a.topic] : [])) : []),
  ];
  return [...topicsOf(config), ...Object.values(config.cmps ?? {}).flatMap(topicsOf)];
}
