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
  /** Every zone the object has entered so far (Frigate 0.12+). */
  entered_zones?: string[];
  /** A name Frigate (its own face recognition, Double Take, Argus) gave the object: a string, or [name, score] in 0.14+. */
  sub_label?: string | [string, number] | null;
  /** 0.13+: the best snapshot's facts (its box in detect pixels); 0.12: `snapshot_time` alone. */
  snapshot?: { frame_time?: number; box?: [number, number, number, number] } | null;
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
  if (!finite(after.start_time)) return null;
  // What Argus reads of the rest, checked: a wrong shape is left out, not passed on half-formed.
  const state: FrigateEventState = {
    ...(after as FrigateEventState),
    end_time: finite(after.end_time) ? after.end_time : null,
    box: isBox(after.box) ? after.box : undefined,
    current_zones: strings(after.current_zones),
    entered_zones: strings(after.entered_zones),
  };
  if (state.snapshot && typeof state.snapshot === 'object' && !isBox(state.snapshot.box)) state.snapshot = { ...state.snapshot, box: undefined };
  return { type, after: state };
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((z): z is string => typeof z === 'string') : []);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isBox = (v: unknown): v is [number, number, number, number] => Array.isArray(v) && v.length === 4 && v.every(finite);

/** Every zone the event's object entered, as Argus' `zones` means it: Frigate's entered ones with the current ones. */
export function zonesOf(e: FrigateEventState): string[] {
  return [...new Set([...(e.entered_zones ?? []), ...(e.current_zones ?? [])])];
}

/** The box of the person in the event's snapshot (detect pixels): the snapshot's own, else the latest. */
export function snapshotBox(e: FrigateEventState): [number, number, number, number] | undefined {
  return (e.snapshot && typeof e.snapshot === 'object' ? e.snapshot.box : undefined) ?? e.box;
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
