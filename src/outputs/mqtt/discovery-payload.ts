import type { EntitySpec } from '../../analyzers/analyzer.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import { AVAILABLE_TOPIC, bridgeDeviceId, cameraDeviceId, cameraTopics, STATS_TOPIC, zoneTopics } from './ha-topics.js';

/** Where users find help; HA shows it as the origin's support link. */
export const ARGUS_SUPPORT_URL = 'https://github.com/argus-cctv/argus';

export interface DiscoveryContext {
  /** The full name of an Argus topic (MqttConnection.topic). */
  topic: (path: string) => string;
  version: string;
  /** The analyzers' event kinds, whose entities each camera gets. */
  kinds: EventKinds;
  /** `server.public_url`: HA's device page links to Argus' web UI ("Visit"). */
  configurationUrl?: string;
  /** What device and entity ids start with (`haIdPrefix`): `argus` unless the base topic says otherwise. */
  idPrefix: string;
}

export type Component = Record<string, unknown> & { p: string; unique_id: string };

/** One camera as HA sees it: Argus' own, or one Frigate watches (whose stream, motion and pause are Frigate's). */
export interface CameraSubject {
  name: string;
  /** Configured zones, each with a person count and an occupancy sensor. */
  zones: string[];
  frigate: boolean;
  /** The event kinds it raises (its enabled analyzers): only their entities are announced. */
  kinds: readonly string[];
  /** Turned off in the config (`enabled: false`): announced, but nothing of it works, its pause switch included. */
  disabled?: boolean;
}
export type DeviceConfig = Record<string, unknown> & { cmps: Record<string, Component> };

/** A device's block: who made it, its version and, with `server.public_url`, the link to the web UI. */
export function device(ctx: DiscoveryContext, fields: { identifiers: string[]; name: string; model: string; via_device?: string }): Record<string, unknown> {
  return { ...fields, manufacturer: 'Argus', sw_version: ctx.version, ...(ctx.configurationUrl ? { configuration_url: ctx.configurationUrl } : {}) };
}

export function origin(ctx: DiscoveryContext) {
  return { name: 'Argus', sw_version: ctx.version, support_url: ARGUS_SUPPORT_URL };
}

/** `Anna Maria` → `anna_maria`, `Back-Yard` → `back_yard`: what an entity id may hold (HA's own slug). */
export function slug(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .toLowerCase()
    .trim()
    .replace(/[\s-]+/g, '_');
  return ascii.replace(/^_+|_+$/g, '');
}

/**
 * One component; its unique id doubles as the default entity id so entity ids read
 * `binary_sensor.argus_front_door_weapon` (slugged: a Frigate camera may be called `Back-Yard`).
 */
export function component(platform: string, id: string, fields: Record<string, unknown>): Component {
  // QoS 1 on each component too: HA may not carry a device-level `qos` over to its components.
  return { p: platform, unique_id: id, default_entity_id: `${platform}.${slug(id) || id}`, qos: 1, ...fields };
}

/** The Argus bridge: the device every camera hangs off (`via_device`), with its own connectivity sensor. */
export function bridgeConfig(ctx: DiscoveryContext): DeviceConfig {
  const id = bridgeDeviceId(ctx.idPrefix);
  return {
    dev: device(ctx, { identifiers: [id], name: 'Argus', model: 'Argus bridge' }),
    o: origin(ctx),
    qos: 1,
    cmps: {
      [`${id}_connection`]: component('binary_sensor', `${id}_connection`, {
        name: 'Connection',
        device_class: 'connectivity',
        entity_category: 'diagnostic',
        state_topic: ctx.topic(AVAILABLE_TOPIC),
        payload_on: 'online',
        payload_off: 'offline',
      }),
      [`${id}_inference_ms`]: component('sensor', `${id}_inference_ms`, {
        name: 'Inference ms p50',
        ...statsFields(ctx, '{{ value_json.inference_ms.p50 }}', 'ms'),
        // Each model's runs and p50/p95 as attributes: one sensor, however many models are loaded.
        json_attributes_topic: ctx.topic(STATS_TOPIC),
        json_attributes_template: '{{ value_json.models | tojson }}',
        availability: [{ topic: ctx.topic(AVAILABLE_TOPIC) }],
      }),
    },
  };
}

/** A diagnostic sensor read from `argus/stats` (one retained JSON message a minute, so no topic per number). */
function statsFields(ctx: DiscoveryContext, template: string, unit: string): Record<string, unknown> {
  return {
    state_topic: ctx.topic(STATS_TOPIC),
    value_template: template,
    unit_of_measurement: unit,
    state_class: 'measurement',
    suggested_display_precision: 1,
    entity_category: 'diagnostic',
  };
}

/** The discovery fields of one analyzer entity. */
function entityFields(spec: EntitySpec, state: string, attributes: string): Record<string, unknown> {
  const base = { name: spec.name, state_topic: state, ...spec.fields };
  if (spec.platform === 'event') return { ...base, event_types: [spec.eventType] };
  if (spec.platform === 'switch') return { ...base, command_topic: `${state}/set` };
  if ('last' in spec) return { ...base, json_attributes_topic: attributes };
  return base;
}

/** Per zone: how many people stand in it and whether anyone does (open person events whose current zones include it). */
function zoneComponents(ctx: DiscoveryContext, camera: string, zones: string[]): Array<[string, Component]> {
  const dev = cameraDeviceId(ctx.idPrefix, camera);
  return zones.flatMap((zone): Array<[string, Component]> => {
    const t = zoneTopics(camera, zone);
    const title = titleOf(zone);
    const count = `${dev}_zone_${zone}_person_count`;
    const occupancy = `${dev}_zone_${zone}_occupancy`;
    return [
      [count, component('sensor', count, { name: `${title} person count`, state_topic: ctx.topic(t.count), state_class: 'measurement', icon: 'mdi:account-group' })],
      [occupancy, component('binary_sensor', occupancy, { name: `${title} occupancy`, state_topic: ctx.topic(t.occupancy), device_class: 'occupancy' })],
    ];
  });
}

/**
 * One HA device per camera: the camera's own entities (motion, fps, snapshot, pause), those
 * the analyzers' event kinds declare, and per zone a person count and occupancy. Entities are
 * unavailable when Argus is offline or the camera's stream is down, except the pause switch,
 * which works whatever the stream does. A Frigate camera has no motion, fps or pause of
 * Argus' (Frigate decodes it) and is available whenever Argus is.
 */
export function cameraConfig(ctx: DiscoveryContext, subject: CameraSubject): DeviceConfig {
  const { name: camera, frigate } = subject;
  const t = cameraTopics(camera);
  const dev = cameraDeviceId(ctx.idPrefix, camera);
  const id = (key: string) => `${dev}_${key}`;
  const entries: Array<[string, Component]> = ctx.kinds.specs
    .filter((kind) => subject.kinds.includes(kind.kind))
    .flatMap((kind) =>
      kind.entities.map((e): [string, Component] => [id(e.key), component(e.platform, id(e.key), entityFields(e, ctx.topic(t.entity(e.key)), ctx.topic(t.attributes(e.key))))]),
    );
  entries.push(...zoneComponents(ctx, camera, subject.zones));
  entries.push([id('snapshot'), component('image', id('snapshot'), { name: 'Last snapshot', image_topic: ctx.topic(t.image), content_type: 'image/jpeg' })]);
  if (!frigate)
    entries.push(
      [id('motion'), component('binary_sensor', id('motion'), { name: 'Motion', state_topic: ctx.topic(t.motion), device_class: 'motion' })],
      [
        id('fps'),
        component('sensor', id('fps'), {
          name: 'Detection fps',
          state_topic: ctx.topic(t.fps),
          unit_of_measurement: 'fps',
          state_class: 'measurement',
          suggested_display_precision: 1,
          entity_category: 'diagnostic',
        }),
      ],
      [
        id('problem'),
        component('sensor', id('problem'), {
          name: 'Stream problem',
          state_topic: ctx.topic(t.problem),
          icon: 'mdi:cctv-off',
          entity_category: 'diagnostic',
          // available while the camera is not: that is when it has something to say
          availability: [{ topic: ctx.topic(AVAILABLE_TOPIC) }],
        }),
      ],
      // Camera names are a-z, 0-9 and _ (config/schema.ts), so they are safe inside the template's quotes.
      [id('analyzed_fps'), component('sensor', id('analyzed_fps'), { name: 'Analyzed fps', ...statsFields(ctx, `{{ value_json.cameras['${camera}'].analyzed_fps }}`, 'fps') })],
      [id('skipped_fps'), component('sensor', id('skipped_fps'), { name: 'Skipped fps', ...statsFields(ctx, `{{ value_json.cameras['${camera}'].skipped_fps }}`, 'fps') })],
      [
        id('essential_fps'),
        component('sensor', id('essential_fps'), { name: 'Weapons-only fps', ...statsFields(ctx, `{{ value_json.cameras['${camera}'].essential_fps }}`, 'fps') }),
      ],
      [
        id('overloaded'),
        component('binary_sensor', id('overloaded'), {
          name: 'Overloaded',
          state_topic: ctx.topic(STATS_TOPIC),
          value_template: `{{ 'ON' if value_json.cameras['${camera}'].overloaded else 'OFF' }}`,
          device_class: 'problem',
          entity_category: 'diagnostic',
        }),
      ],
      [
        id('pause'),
        component('switch', id('pause'), {
          name: 'Pause detection',
          state_topic: ctx.topic(t.pause),
          command_topic: ctx.topic(t.pauseSet),
          icon: 'mdi:pause-circle',
          entity_category: 'config',
          // A running camera can be paused whatever its stream does; a disabled one has nothing to pause (the device's availability: unavailable).
          ...(subject.disabled ? {} : { availability: [{ topic: ctx.topic(AVAILABLE_TOPIC) }] }),
        }),
      ],
    );
  return {
    dev: device(ctx, { identifiers: [dev], name: titleOf(camera), model: frigate ? 'Frigate camera' : 'Camera', via_device: bridgeDeviceId(ctx.idPrefix) }),
    o: origin(ctx),
    availability: frigate ? [{ topic: ctx.topic(AVAILABLE_TOPIC) }] : [{ topic: ctx.topic(AVAILABLE_TOPIC) }, { topic: ctx.topic(t.available) }],
    availability_mode: 'all',
    qos: 1,
    cmps: Object.fromEntries(entries),
  };
}

/** `front_door` → `Front door`: HA prefixes entity names with the device name. */
export function titleOf(camera: string): string {
  const words = camera.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
