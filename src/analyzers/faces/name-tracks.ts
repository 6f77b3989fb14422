import { type Box, iou } from '../../vision/iou.js';

interface Track {
  box: Box;
  lastSeen: number;
  /** The name the last frames agreed on (null: a stranger), and in how many frames in a row. */
  name: string | null;
  streak: number;
}

/** A face further than this (IoU with its last box) is another face, as is one unseen this long (ms). */
const SAME_FACE_IOU = 0.3;
const TRACK_GAP_MS = 3000;

/**
 * Faces followed from frame to frame by box overlap, so a name is given only once the registry
 * has said it for `confirmFrames` frames in a row of the same face: a stranger who scores above
 * the threshold in one lucky frame is not named (docs/faces.md#decision-rules).
 */
export class NameTracks {
  private tracks: Track[] = [];

  constructor(private readonly confirmFrames: number) {}

  /** Starts a frame: tracks unseen for too long are dropped. Returns the set to claim tracks from. */
  frame(time: number): Set<Track> {
    this.tracks = this.tracks.filter((t) => time - t.lastSeen <= TRACK_GAP_MS);
    return new Set();
  }

  /**
   * Records what the registry said of the face at `box`; the name once it holds, null for a
   * stranger, undefined while a name waits for its confirming frames.
   */
  see(box: Box, name: string | null, time: number, claimed: Set<Track>): string | null | undefined {
    let track: Track | undefined;
    let best = SAME_FACE_IOU;
    for (const t of this.tracks) {
      const overlap = iou(t.box, box);
      if (!claimed.has(t) && overlap >= best) [track, best] = [t, overlap];
    }
    if (!track) {
      track = { box, lastSeen: time, name, streak: 0 };
      this.tracks.push(track);
    }
    claimed.add(track);
    track.streak = track.name === name ? track.streak + 1 : 1;
    track.name = name;
    track.box = box;
    track.lastSeen = time;
    if (name === null) return null;
    return track.streak >= this.confirmFrames ? name : undefined;
  }
}
