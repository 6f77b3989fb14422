import type { Detection } from '../events/analyzed-frame.js';
import type { ArgusEvent, EventBox } from '../events/event.js';

/** One thing that happened: a person's visit with the faces, poses and weapons seen on them. */
export interface EventGroup {
  /** The id of its main event (the person's, or the lone event's). */
  id: string;
  camera: string;
  /** The name when one of its events has one, else the main event's label. */
  title: string;
  /** The recognised person, when any event of the group names one. */
  sub_label: string | null;
  start_time: number;
  /** Null while any of its events goes on. */
  end_time: number | null;
  kinds: string[];
  /** The main event first, then the others by start time. */
  events: ArgusEvent[];
}

/** Seconds of slack between a person's event and a face's: analyzers see them a frame or two apart. */
export const GROUP_SLACK_S = 2;

const centre = (b: EventBox) => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

/** Whether the box's centre lies inside `outer` grown by 20 % (a face at a person box's edge, a held knife). */
function inside(box: EventBox, outer: EventBox): boolean {
  const [x, y] = centre(box);
  const dx = (outer[2] - outer[0]) * 0.1;
  const dy = (outer[3] - outer[1]) * 0.1;
  return x >= outer[0] - dx && x <= outer[2] + dx && y >= outer[1] - dy && y <= outer[3] + dy;
}

function overlap(a: ArgusEvent, b: ArgusEvent, now: number): number {
  const from = Math.max(a.start_time, b.start_time) - GROUP_SLACK_S;
  const to = Math.min(a.end_time ?? now, b.end_time ?? now);
  return to - from;
}

/**
 * Groups events by what happened. The rule: a person event is a group; any other event (face,
 * pose, weapon, …) joins the person event it was linked to (`links`: whose box held it in the
 * same frame, FrameLinker below). Without a link, it joins the person event on the same camera
 * whose time overlaps its own (with `GROUP_SLACK_S` slack) and whose last box holds its last box's
 * centre, the longest overlap winning; when no box holds it, the one person event it overlaps in
 * time if there is exactly one; otherwise it is a group of its own. Groups come newest first.
 */
export function groupEvents(events: readonly ArgusEvent[], now = Date.now() / 1000, links: ReadonlyMap<string, string> = new Map()): EventGroup[] {
  const persons = events.filter((e) => e.kind === 'person');
  const members = new Map<string, ArgusEvent[]>(persons.map((p) => [p.id, []]));
  const alone: ArgusEvent[] = [];
  for (const e of events) {
    if (e.kind === 'person') continue;
    const linked = members.get(links.get(e.id) ?? '');
    if (linked) {
      linked.push(e);
      continue;
    }
    const during = persons.filter((p) => p.camera === e.camera && overlap(p, e, now) >= 0);
    const holding = during.filter((p) => inside(e.box, p.box));
    const pick = holding.length ? holding : during.length === 1 ? during : [];
    const best = pick.reduce<ArgusEvent | undefined>((a, p) => (!a || overlap(p, e, now) > overlap(a, e, now) ? p : a), undefined);
    if (best) members.get(best.id)!.push(e);
    else alone.push(e);
  }
  const groups = [...persons.map((p) => groupOf(p, members.get(p.id)!)), ...alone.map((e) => groupOf(e, []))];
  return groups.sort((a, b) => b.start_time - a.start_time || (a.id < b.id ? 1 : -1));
}

function groupOf(main: ArgusEvent, others: ArgusEvent[]): EventGroup {
  const events = [main, ...others.sort((a, b) => a.start_time - b.start_time)];
  const named = events.find((e) => e.sub_label)?.sub_label ?? null;
  return {
    id: main.id,
    camera: main.camera,
    title: named ?? main.label,
    sub_label: named,
    start_time: Math.min(...events.map((e) => e.start_time)),
    end_time: events.some((e) => e.end_time === null) ? null : Math.max(...events.map((e) => e.end_time!)),
    kinds: [...new Set(events.map((e) => e.kind))],
    events,
  };
}

/** Links remembered at most: an event is linked once, at its first frame with a person around it. */
const MAX_REMEMBERED = 10_000;

/**
 * Links each non-person event to the person event whose box holds it in the same frame: the
 * surest grouping (boxes of one moment, not the events' last ones). Fed every detection of an
 * event (EventManager's onDetection); a frame's detections all arrive in one synchronous pass,
 * so they are matched in a microtask after it. `link` is called once per event (the first frame).
 */
export class FrameLinker {
  private readonly frames = new Map<string, { persons: Array<{ id: string; box: EventBox }>; others: Array<{ id: string; box: EventBox }> }>();
  private readonly linked = new Set<string>();

  constructor(private readonly link: (eventId: string, personEventId: string) => void) {}

  see(event: Pick<ArgusEvent, 'id' | 'camera'>, d: Pick<Detection, 'kind' | 'box'>, time: number): void {
    if (d.kind !== 'person' && this.linked.has(event.id)) return;
    const key = `${event.camera}\n${time}`;
    let frame = this.frames.get(key);
    if (!frame) {
      frame = { persons: [], others: [] };
      this.frames.set(key, frame);
      queueMicrotask(() => this.resolve(key));
    }
    (d.kind === 'person' ? frame.persons : frame.others).push({ id: event.id, box: d.box });
  }

  private resolve(key: string): void {
    const frame = this.frames.get(key);
    this.frames.delete(key);
    if (!frame) return;
    const area = (b: EventBox) => (b[2] - b[0]) * (b[3] - b[1]);
    for (const other of frame.others) {
      // The tightest box that holds it: a face in front of a larger person box is that nearer person's.
      const holder = frame.persons.filter((p) => inside(other.box, p.box)).sort((a, b) => area(a.box) - area(b.box))[0];
      if (!holder || this.linked.has(other.id)) continue;
      if (this.linked.size >= MAX_REMEMBERED) this.linked.clear();
      this.linked.add(other.id);
      this.link(other.id, holder.id);
    }
  }
}
