import { BRIDGE_DEVICE_ID, cameraDeviceId, cameraTopics } from './ha-topics.js';

/** Where users find help; HA shows it as the origin's support link. */
export const ARGUS_SUPPORT_URL = 'https://github.com/argus-cctv/argus';

export interface DiscoveryContext {
  baseTopic: string;
  version: string;
  supportUrl?: string;
}

type Component = Record<string, unknown> & { p: string; unique_id: string };
export type DeviceConfig = Record<string, unknown> & { cmps: Record<string, Component> };

function origin(ctx: DiscoveryContext) {
  return { name: 'Argus', sw_version: ctx.version, support_url: ctx.supportUrl ?? ARGUS_SUPPORT_URL };
}

/** One component; its unique id doubles as the default entity id so entity ids read `binary_sensor.argus_front_door_weapon`. */
function component(platform: string, id: string, fields: Record<string, unknown>): Component {
  return { p: platform, unique_id: id, default_entity_id: `${platform}.${id}`, ...fields };
}

/** The Argus bridge: the device every camera hangs off (`via_device`), with its own connectivity sensor. */
export function bridgeConfig(ctx: DiscoveryContext): DeviceConfig {
  const id = BRIDGE_DEVICE_ID;
  return {
    dev: { identifiers: [id], name: 'Argus', manufacturer: 'Argus', model: 'Argus bridge', sw_version: ctx.version },
    o: origin(ctx),
    qos: 1,
    cmps: {
      [`${id}_connection`]: component('binary_sensor', `${id}_connection`, {
        name: 'Connection',
        device_class: 'connectivity',
        entity_category: 'diagnostic',
        state_topic: `${ctx.baseTopic}/available`,
        payload_on: 'online',
        payload_off: 'offline',
      }),
    },
  };
}

/**
 * One HA device per camera. Entities are unavailable when Argus is offline or the camera's
 * stream is down, except the pause switch, which works whatever the stream does.
 */
export function cameraConfig(ctx: DiscoveryContext, camera: string): DeviceConfig {
  const t = cameraTopics(ctx.baseTopic, camera);
  const dev = cameraDeviceId(camera);
  const id = (key: string) => `${dev}_${key}`;
  const binary = (key: string, name: string, topic: string, extra: Record<string, unknown> = {}) =>
    [id(key), component('binary_sensor', id(key), { name, state_topic: topic, ...extra })] as const;
  const cmps: Record<string, Component> = Object.fromEntries([
    binary('weapon', 'Weapon', t.weapon, { device_class: 'safety' }),
    binary('person', 'Person', t.person, { device_class: 'occupancy' }),
    binary('known_face', 'Known face', t.knownFace, { icon: 'mdi:account-check' }),
    binary('unknown_face', 'Unknown face', t.unknownFace, { icon: 'mdi:account-question' }),
    binary('suspicious', 'Suspicious activity', t.suspicious, { icon: 'mdi:account-alert' }),
    binary('motion', 'Motion', t.motion, { device_class: 'motion' }),
    [id('person_count'), component('sensor', id('person_count'), { name: 'Person count', state_topic: t.personCount, state_class: 'measurement', icon: 'mdi:account-group' })],
    [id('last_face'), component('sensor', id('last_face'), { name: 'Last face', state_topic: t.lastFace, json_attributes_topic: t.lastFaceAttributes, icon: 'mdi:face-recognition' })],
    [
      id('fps'),
      component('sensor', id('fps'), {
        name: 'Detection fps',
        state_topic: t.fps,
        unit_of_measurement: 'fps',
        state_class: 'measurement',
        suggested_display_precision: 1,
        entity_category: 'diagnostic',
      }),
    ],
    [id('snapshot'), component('image', id('snapshot'), { name: 'Last snapshot', image_topic: t.image, content_type: 'image/jpeg' })],
    [id('face_recognized'), component('event', id('face_recognized'), { name: 'Face recognised', state_topic: t.faceRecognized, event_types: ['face_recognized'], icon: 'mdi:face-recognition' })],
    [id('weapon_detected'), component('event', id('weapon_detected'), { name: 'Weapon detected', state_topic: t.weaponDetected, event_types: ['weapon_detected'], icon: 'mdi:knife' })],
    [
      id('pause'),
      component('switch', id('pause'), {
        name: 'Pause detection',
        state_topic: t.pause,
        command_topic: t.pauseSet,
        icon: 'mdi:pause-circle',
        entity_category: 'config',
        availability: [{ topic: `${ctx.baseTopic}/available` }],
      }),
    ],
  ]);
  return {
    dev: { identifiers: [dev], name: titleOf(camera), manufacturer: 'Argus', model: 'Camera', sw_version: ctx.version, via_device: BRIDGE_DEVICE_ID },
    o: origin(ctx),
    availability: [{ topic: `${ctx.baseTopic}/available` }, { topic: t.available }],
    availability_mode: 'all',
    qos: 1,
    cmps,
  };
}

/** `front_door` → `Front door`: HA prefixes entity names with the device name. */
function titleOf(camera: string): string {
  const words = camera.replace(/_+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
