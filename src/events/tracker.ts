import { iou } from '../vision/iou.js';
import type { Detection } from './analyzed-frame.js';
import type { EventBox } from './event.js';

/** An object followed across frames: the latest detection plus when and how often it was seen. */
export interface Track {
  /** Stable per tracker (per camera) for the object's life. */
  readonly id: number;
  detection: Detection;
  firstSeen: number;
  lastSeen: number;
  /** Frames it was matched in, the first included. */
  hits: number;
  /** The last name (`sub_label`) a detection of it carried, kept through frames that gave none. */
  name: string | null;
  /** Seconds it may go unseen, beyond the caller's maxAge (its last detection's `hold`). */
  hold: number;
  /** The last `identity` a detection of it carried. */
  identity: string | null;
}

export interface TrackerOptions {
  /**
   * Centre distance, in diagonals of the object's last box, beyond which a detection that does
   * not overlap the object cannot be it. 1 follows a walker across a 5 fps stream.
   */
  maxCentreDistance?: number;
}

function centre(b: EventBox): [number, number] {
  return [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
}

/** How alike a known object and a new detection are: overlap plus closeness; null when they cannot match. */
function affinity(last: EventBox, next: EventBox, maxDistance: number): number | null {
  const overlap = iou(last, next);
  const [ax, ay] = centre(last);
  const [bx, by] = centre(next);
  const diagonal = Math.hypot(last[2] - last[0], last[3] - last[1]) || 1;
  const distance = Math.hypot(ax - bx, ay - by) / diagonal;
  if (overlap <= 0 && distance > maxDistance) return null;
  return overlap + Math.max(0, 1 - distance / maxDistance);
}

/** Seconds after which an unseen object's claim to a detection is halved. */
const RECENCY_S = 2;
const recency = (unseenS: number) => 1 / (1 + Math.max(0, unseenS) / RECENCY_S);

/**
 * Keeps an id per object across one camera's frames: detections of the same kind and label are
 * matched greedily to known objects by IoU plus centre distance, best pairs first; the rest
 * become new objects. A detection named otherwise than an object (two recognised people side by
 * side), or of another `identity`, is never that object, and one of its identity is that object
 * wherever it stands and whatever it is named (a face's visit: someone who stepped out and back in
 * elsewhere, or was renamed). Objects are forgotten only by expire(), so a brief miss keeps the id.
 */
export class Tracker {
  private readonly tracks = new Map<number, Track>();
  private nextId = 1;
  private readonly maxDistance: number;

  constructor(opts: TrackerOptions = {}) {
    this.maxDistance = opts.maxCentreDistance ?? 1;
  }

  /** Matches one frame's detections; returns the objects seen in it (matched and new), with time in seconds. */
  update(detections: readonly Detection[], time: number): Track[] {
    const pairs: Array<{ track: Track; index: number; score: number }> = [];
    for (const track of this.tracks.values()) {
      detections.forEach((d, index) => {
        if (d.kind !== track.detection.kind || d.label !== track.detection.label) return;
        if (d.identity && track.identity && d.identity !== track.identity) return;
        // …and the same identity is that object under a new name (the person was renamed meanwhile)
        if (d.sub_label && track.name && d.sub_label !== track.name && !(d.identity && d.identity === track.identity)) return;
        const box = affinity(track.detection.box, d.box, this.maxDistance);
        // An object seen lately before one left there earlier: one bin passing where it passed 8 s ago
        // was matched to that old object, the moving one left unmatched, and every pass added one.
        const near = box === null ? null : box * recency(time - track.lastSeen);
        // the same identity first, however far; then by boxes (affinity is at most 2)
        const score = d.identity && d.identity === track.identity ? 2 + (near ?? 0) : near;
        if (score !== null) pairs.push({ track, index, score });
      });
    }
    pairs.sort((a, b) => b.score - a.score);
    const takenTracks = new Set<number>();
    const takenDetections = new Set<number>();
    const seen: Track[] = [];
    for (const { track, index } of pairs) {
      if (takenTracks.has(track.id) || takenDetections.has(index)) continue;
      takenTracks.add(track.id);
      takenDetections.add(index);
      track.detection = detections[index];
      track.name = detections[index].sub_label ?? track.name;
      track.hold = detections[index].hold ?? 0;
      track.identity = detections[index].identity ?? track.identity;
      track.lastSeen = time;
      track.hits++;
      seen.push(track);
    }
    detections.forEach((detection, index) => {
      if (takenDetections.has(index)) return;
      const track: Track = {
        id: this.nextId++,
        detection,
        firstSeen: time,
        lastSeen: time,
        hits: 1,
        name: detection.sub_label ?? null,
        hold: detection.hold ?? 0,
        identity: detection.identity ?? null,
      };
      this.tracks.set(track.id, track);
      seen.push(track);
    });
    return seen;
  }

  /** Forgets objects not seen for more than maxAge seconds (or their own longer hold) and returns them. */
  expire(time: number, maxAge: number): Track[] {
    const gone: Track[] = [];
    for (const track of this.tracks.values()) {
      if (time - track.lastSeen > Math.max(maxAge, track.hold)) {
        gone.push(track);
        this.tracks.delete(track.id);
      }
    }
    return gone;
  }

  /** Forgets the objects `which` picks (their analyzer said they are over) and returns them. */
  remove(which: (track: Track) => boolean): Track[] {
    const gone = [...this.tracks.values()].filter(which);
    for (const track of gone) this.tracks.delete(track.id);
    return gone;
  }

  /** Forgets every object (camera stopped) and returns them. */
  clear(): Track[] {
    const all = [...this.tracks.values()];
    this.tracks.clear();
    return all;
  }

  get size(): number {
    return this.tracks.size;
  }
}
