import { type Box, iou } from '../../vision/iou.js';

/** A body is the same from frame to frame when its box overlaps this much (poses move little between analysed frames). */
const SAME_BODY = 0.3;
/** A body missed for this long is forgotten (as a fall candidate is). */
const FORGET_MS = 1500;

interface Body {
  box: Box;
  /** The saved pose it matched in each of its last frames (null: none), newest last. */
  matches: Array<string | null>;
  /** The saved pose it is reported as now. */
  shown: string | null;
  lastSeen: number;
}

/**
 * Which saved pose each body is shown as, frame after frame: a pose counts once matched in
 * `hits` of the body's last `frames` frames, and stays while matched in any of them. Judged frame
 * by frame, a body near the threshold flickered in and out of a pose, and one between two saved
 * poses switched label each frame: each switch started an event (49 pose events in 8 minutes for
 * two people, 16 of them one frame long, in a user pass).
 */
export class PoseHold {
  private bodies: Body[] = [];

  constructor(
    private readonly hits: number,
    private readonly frames: number,
  ) {}

  /** Each body of this frame, with the saved pose it matched in it, → the pose it is shown as. */
  update(seen: ReadonlyArray<{ box: Box; match: string | null }>, time: number): Array<string | null> {
    const now: Body[] = [];
    const shown = seen.map(({ box, match }) => {
      let best: Body | undefined;
      let overlap = SAME_BODY;
      for (const b of this.bodies) {
        if (time - b.lastSeen > FORGET_MS) continue;
        const o = iou(b.box, box);
        if (!now.includes(b) && o >= overlap) [best, overlap] = [b, o];
      }
      const body = best ?? { box, matches: [], shown: null, lastSeen: time };
      body.box = box;
      body.lastSeen = time;
      body.matches = [...body.matches, match].slice(-this.frames);
      body.shown = this.decide(body);
      now.push(body);
      return body.shown;
    });
    this.bodies = [...now, ...this.bodies.filter((b) => !now.includes(b) && time - b.lastSeen <= FORGET_MS)];
    return shown;
  }

  private decide(body: Body): string | null {
    if (body.shown !== null && body.matches.includes(body.shown)) return body.shown;
    // the newest pose matched often enough
    for (let i = body.matches.length - 1; i >= 0; i--) {
      const name = body.matches[i];
      if (name !== null && body.matches.filter((m) => m === name).length >= this.hits) return name;
    }
    return null;
  }

  reset(): void {
    this.bodies = [];
  }
}
