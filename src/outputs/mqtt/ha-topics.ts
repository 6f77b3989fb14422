/**
 * Argus' MQTT topics, in one place so discovery, states and the switch agree. Paths are under
 * the base topic, which MqttConnection adds (`front_door/motion` → `argus/front_door/motion`);
 * Home Assistant's own topics (discovery, status) are full names.
 */
export interface CameraTopics {
  camera: string;
  available: string;
  motion: string;
  fps: string;
  /** Why the stream is down, in words (`wrong user name or password`), or `ok`. */
  problem: string;
  image: string;
  pause: string;
  pauseSet: string;
  /** An analyzer entity's state (`front_door/weapon`). */
  entity(key: string): string;
  /** Its attributes, for sensors that carry some (`front_door/last_face/attributes`). */
  attributes(key: string): string;
}

export function cameraTopics(camera: string): CameraTopics {
  return {
    camera,
    available: `${camera}/available`,
    motion: `${camera}/motion`,
    fps: `${camera}/fps`,
    problem: `${camera}/problem`,
    image: `${camera}/image`,
    pause: `${camera}/pause`,
    pauseSet: `${camera}/pause/set`,
    entity: (key) => `${camera}/${key}`,
    attributes: (key) => `${camera}/${key}/attributes`,
  };
}

/** A zone's person count and occupancy (`front_door/zones/porch/person_count`). */
export function zoneTopics(camera: string, zone: string): { count: string; occupancy: string } {
  return { count: `${camera}/zones/${zone}/person_count`, occupancy: `${camera}/zones/${zone}/occupancy` };
}

/** An enrolled person's sensor, by registry id so a rename keeps it (`people/3`, `people/3/attributes`). */
export function personTopics(id: number): { state: string; attributes: string } {
  return { state: `people/${id}`, attributes: `people/${id}/attributes` };
}

/** Every camera's pause command, for one subscription. */
export const PAUSE_SET_FILTER = '+/pause/set';

/** `argus/events`: every event message as JSON, like Frigate's `frigate/events`. */
export const EVENTS_TOPIC = 'events';

/** `argus/stats`: the stats report (`GET /api/stats`) every 60 s, retained; the diagnostic sensors read it. */
export const STATS_TOPIC = 'stats';

/** `argus/available`: Argus' own availability (MqttConnection's last will). */
export const AVAILABLE_TOPIC = 'available';

/** Home Assistant's birth and last-will topic. */
export const haStatusTopic = (discoveryPrefix: string): string => `${discoveryPrefix}/status`;

export const deviceConfigTopic = (discoveryPrefix: string, deviceId: string): string => `${discoveryPrefix}/device/${deviceId}/config`;

/**
 * What Home Assistant's device and entity ids start with: `argus` for the default base topic, else
 * the base topic made an id (`argus2`, `home/cams` → `home_cams`), so two Argus on one broker do
 * not announce the same devices (the second rewrote the first's bridge and cameras).
 */
export function haIdPrefix(baseTopic: string): string {
  if (baseTopic === 'argus') return 'argus';
  return (
    baseTopic
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '') || 'argus'
  );
}

export const bridgeDeviceId = (prefix: string): string => `${prefix}_bridge`;
/** The device that holds one sensor per enrolled person. */
export const peopleDeviceId = (prefix: string): string => `${prefix}_people`;
export const cameraDeviceId = (prefix: string, camera: string): string => `${prefix}_${camera}`;
