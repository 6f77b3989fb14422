/** The MQTT topics of one camera, in one place so discovery, states and the switch agree. */
export interface CameraTopics {
  available: string;
  motion: string;
  weapon: string;
  person: string;
  knownFace: string;
  unknownFace: string;
  suspicious: string;
  personCount: string;
  lastFace: string;
  lastFaceAttributes: string;
  fps: string;
  image: string;
  faceRecognized: string;
  weaponDetected: string;
  pause: string;
  pauseSet: string;
}

export function cameraTopics(baseTopic: string, camera: string): CameraTopics {
  const t = `${baseTopic}/${camera}`;
  return {
    available: `${t}/available`,
    motion: `${t}/motion`,
    weapon: `${t}/weapon`,
    person: `${t}/person`,
    knownFace: `${t}/known_face`,
    unknownFace: `${t}/unknown_face`,
    suspicious: `${t}/suspicious`,
    personCount: `${t}/person_count`,
    lastFace: `${t}/last_face`,
    lastFaceAttributes: `${t}/last_face/attributes`,
    fps: `${t}/fps`,
    image: `${t}/image`,
    faceRecognized: `${t}/face_recognized`,
    weaponDetected: `${t}/weapon_detected`,
    pause: `${t}/pause`,
    pauseSet: `${t}/pause/set`,
  };
}

/** `argus/events`: every event message as JSON, like Frigate's `frigate/events`. */
export const eventsTopic = (baseTopic: string): string => `${baseTopic}/events`;

/** Home Assistant's birth and last-will topic. */
export const haStatusTopic = (discoveryPrefix: string): string => `${discoveryPrefix}/status`;

export const deviceConfigTopic = (discoveryPrefix: string, deviceId: string): string => `${discoveryPrefix}/device/${deviceId}/config`;

export const BRIDGE_DEVICE_ID = 'argus_bridge';
export const cameraDeviceId = (camera: string): string => `argus_${camera}`;
