/** The parts of a `frigate/events` message Argus reads (Frigate 0.12 – 0.16). */
export interface FrigateEventMessage {
  type: 'new' | 'update' | 'end';
  after: FrigateEventState;
}

export interface FrigateEventState {
  id: string;
  camera: string;
  label: string;
  start_time: number;
  end_time: number | null;
  /** [x1, y1, x2, y2] in detect pixels. */
  box?: [number, number, number, number];
  current_zones?: string[];
  /** A name Frigate (its own face recognition, Double Take, Argus) gave the object: a string, or [name, score] in 0.14+. */
  sub_label?: string | [string, number] | null;
  /** 0.13+: the best snapshot's facts; 0.12: `snapshot_time` alone. */
  snapshot?: { frame_time?: number } | null;
  snapshot_time?: number;
  frame_time?: number;
}

/** Parses and checks one message; null for anything that is not a usable event. */
export function parseFrigateEvent(payload: Buffer): FrigateEventMessage | null {
  let msg: unknown;
  try {
    msg = JSON.parse(payload.toString());
  } catch {
    return null;
  }
  if (!msg || typeof msg !== 'object') return null;
  const { type, after } = msg as { type?: unknown; after?: Partial<FrigateEventState> };
  if (type !== 'new' && type !== 'update' && type !== 'end') return null;
  if (!after || typeof after.id !== 'string' || typeof after.camera !== 'string' || typeof after.label !== 'string') return null;
  return { type, after: after as FrigateEventState };
}

/** The event's sub label as a name, whichever shape Frigate sent it in; null when it has none. */
export function subLabelOf(e: FrigateEventState): string | null {
  const s = Array.isArray(e.sub_label) ? e.sub_label[0] : e.sub_label;
  return typeof s === 'string' && s.trim() ? s : null;
}

/** When Frigate's best snapshot was taken: a new value means a new snapshot worth analyzing. */
export function snapshotTime(e: FrigateEventState): number | null {
  return e.snapshot?.frame_time ?? e.snapshot_time ?? null;
}
