/**
 * The one event type: what the analyzers produce and what the store, MQTT, Home Assistant,
 * Telegram and the API all consume (the JSON of `argus/events`, like Frigate's `frigate/events`).
 */

/** One of the kinds the analyzers declare (`src/analyzers/list.ts`): `person`, `weapon`, `face`, `pose`, … */
export type EventKind = string;
export type EventPhase = 'start' | 'update' | 'end';

/** [x1, y1, x2, y2] in the camera's detect-size pixels. */
export type EventBox = [number, number, number, number];

export interface ArgusEvent {
  id: string;
  camera: string;
  kind: EventKind;
  /** What was seen: `knife`, `person`, `face`, a pose name (`hands_up`, `fall`), … */
  label: string;
  /** Who, when known: the recognised person's name; null for unknown or not applicable. */
  sub_label: string | null;
  score: number;
  top_score: number;
  box: EventBox;
  /** Every zone the object has entered during the event. */
  zones: string[];
  /** Zones the object is in now; on live messages only (not stored). */
  current_zones?: string[];
  /** Seconds since the epoch (float), as Frigate does. */
  start_time: number;
  end_time: number | null;
  /** Path of the annotated snapshot relative to the API root (`events/<id>/snapshot.jpg`), or null. */
  snapshot: string | null;
  /** Extra facts by kind: face similarity, the person box a weapon is closest to, … ({} when none: a template reads it without a guard). */
  attributes: Record<string, unknown>;
}

export interface EventMessage {
  type: EventPhase;
  event: ArgusEvent;
}
