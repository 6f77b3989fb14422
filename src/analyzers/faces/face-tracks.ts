import { type Box, iou } from '../../vision/iou.js';

/** A face followed from frame to frame. */
export interface FaceTrack {
  box: Box;
  lastSeen: number;
  /** Who the last frames agreed on (the person's registry id or name; null: a stranger; undefined: none yet), and in how many frames in a row. */
  name: string | null | undefined;
  streak: number;
  /** The face's embedding as last computed, and how many frames ago (0: in the frame it was last seen). */
  embedding?: Float32Array;
  embeddedAgo: number;
}

/** A face further than this (IoU with its last box) is another face, as is one unseen this long (ms). */
const SAME_FACE_IOU = 0.3;
const TRACK_GAP_MS = 3000;
/**
 * A face is followed without a break while it was seen this recently (ms): a camera analysed less
 * than once a second, or a face away for longer, may be someone else in the same place.
 */
const FOLLOWED_GAP_MS = 1000;
/** An embedding stands for the face in a later frame only while the face overlaps its last box this much (IoU). */
const KEEP_IOU = 0.5;

/**
 * Faces followed from frame to frame by box overlap. A name is given only once the registry has
 * said it for `confirmFrames` frames in a row of the same face: a stranger who scores above the
 * threshold in one lucky frame is not named (docs/faces.md#decision-rules). A face whose name has
 * settled keeps its embedding for `reembedFrames` frames while it stays put, so a person in view
 * is embedded a few times a second, not every frame (docs/analyzers.md#faces).
 */
export class FaceTracks {
  private tracks: FaceTrack[] = [];

  constructor(
    private readonly confirmFrames: number,
    private readonly reembedFrames = 1,
  ) {}

  /** Starts a frame: tracks unseen for too long are dropped. Returns the set to claim tracks from. */
  frame(time: number): Set<FaceTrack> {
    this.tracks = this.tracks.filter((t) => time - t.lastSeen <= TRACK_GAP_MS);
    return new Set();
  }

  /** The unclaimed track the face at `box` continues (the most overlapping), or a new one; claimed. */
  claim(box: Box, time: number, claimed: Set<FaceTrack>): FaceTrack {
    let track: FaceTrack | undefined;
    let best = SAME_FACE_IOU;
    for (const t of this.tracks) {
      const overlap = iou(t.box, box);
      if (!claimed.has(t) && overlap >= best) [track, best] = [t, overlap];
    }
    if (!track) {
      track = { box, lastSeen: time, name: undefined, streak: 0, embeddedAgo: 0 };
      this.tracks.push(track);
    }
    claimed.add(track);
    return track;
  }

  /** Whether the track's face was seen on the frame before (under a second ago), not only begun now: call before `see`. */
  followed(track: FaceTrack, time: number): boolean {
    return track.name !== undefined && time - track.lastSeen <= FOLLOWED_GAP_MS;
  }

  /**
   * The track's embedding, when it may stand for the face at `box` at `time`: the face is followed,
   * has hardly moved, its name has settled (confirmed, or a stranger) and its embedding was
   * computed fewer than `reembedFrames` frames ago. Otherwise undefined: embed the face.
   */
  kept(track: FaceTrack, box: Box, time: number): Float32Array | undefined {
    if (!track.embedding || track.embeddedAgo + 1 >= this.reembedFrames || !this.followed(track, time)) return undefined;
    const settled = track.name === null || track.streak >= this.confirmFrames;
    return settled && iou(track.box, box) >= KEEP_IOU ? track.embedding : undefined;
  }

  /**
   * Records what the registry said of the face at `box` (on its track from `claim`) and its
   * embedding (`fresh`: computed this frame, not `kept`); returns the name once it holds, null for
   * a stranger, undefined while a name waits for its confirming frames.
   */
  see(track: FaceTrack, box: Box, name: string | null, time: number, embedding: Float32Array, fresh: boolean): string | null | undefined {
    if (fresh) [track.embedding, track.embeddedAgo] = [embedding, 0];
    else track.embeddedAgo++;
    track.streak = track.name === name ? track.streak + 1 : 1;
    track.name = name;
    track.box = box;
    track.lastSeen = time;
    if (name === null) return null;
    return track.streak >= this.confirmFrames ? name : undefined;
  }
}
