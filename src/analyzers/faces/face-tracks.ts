import { type Box, iou } from '../../vision/iou.js';

/** A face followed from frame to frame. */
export interface FaceTrack {
  box: Box;
  lastSeen: number;
  /** The name the last frames agreed on (null: a stranger), and in how many frames in a row. */
  name: string | null;
  streak: number;
  /** The face's embedding as last computed, and how many frames ago (0: in the frame it was last seen). */
  embedding: Float32Array;
  embeddedAgo: number;
}

/** A face further than this (IoU with its last box) is another face, as is one unseen this long (ms). */
const SAME_FACE_IOU = 0.3;
const TRACK_GAP_MS = 3000;
/**
 * An embedding stands for the face in a later frame only while the face overlaps its last box this
 * much (IoU) and was seen this recently (ms): a face that moved, or a camera analysed less than
 * once a second, is embedded afresh.
 */
const KEEP_IOU = 0.5;
const KEEP_GAP_MS = 1000;

/**
 * Faces followed from frame to frame by box overlap, for two things. A name is given only once
 * the registry has said it for `confirmFrames` frames in a row of the same face: a stranger who
 * scores above the threshold in one lucky frame is not named (docs/faces.md#decision-rules). And
 * a face whose name has settled keeps its embedding for `reembedFrames` frames while it stays
 * put, so a person in view is embedded a few times a second, not every frame (docs/analyzers.md).
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

  /** The unclaimed track the face at `box` continues (the most overlapping), now claimed; undefined for a new face. */
  claim(box: Box, claimed: Set<FaceTrack>): FaceTrack | undefined {
    let track: FaceTrack | undefined;
    let best = SAME_FACE_IOU;
    for (const t of this.tracks) {
      const overlap = iou(t.box, box);
      if (!claimed.has(t) && overlap >= best) [track, best] = [t, overlap];
    }
    if (track) claimed.add(track);
    return track;
  }

  /**
   * The track's embedding, when it may stand for the face at `box` at `time`: its name has
   * settled (confirmed, or a stranger), it was computed fewer than `reembedFrames` frames ago,
   * and the face has not moved or been away. Otherwise undefined: embed the face.
   */
  kept(track: FaceTrack | undefined, box: Box, time: number): Float32Array | undefined {
    if (!track || track.embeddedAgo + 1 >= this.reembedFrames) return undefined;
    const settled = track.name === null || track.streak >= this.confirmFrames;
    return settled && time - track.lastSeen <= KEEP_GAP_MS && iou(track.box, box) >= KEEP_IOU ? track.embedding : undefined;
  }

  /**
   * Records what the registry said of the face at `box` (continuing `track`, from `claim`) and its
   * embedding (`fresh`: computed this frame, not `kept`); returns the name once it holds, null for
   * a stranger, undefined while a name waits for its confirming frames.
   */
  see(continued: FaceTrack | undefined, box: Box, name: string | null, time: number, embedding: Float32Array, fresh: boolean): string | null | undefined {
    const track = continued ?? { box, lastSeen: time, name, streak: 0, embedding, embeddedAgo: 0 };
    if (!continued) this.tracks.push(track);
    else if (fresh) [track.embedding, track.embeddedAgo] = [embedding, 0];
    else track.embeddedAgo++;
    track.streak = track.name === name ? track.streak + 1 : 1;
    track.name = name;
    track.box = box;
    track.lastSeen = time;
    if (name === null) return null;
    return track.streak >= this.confirmFrames ? name : undefined;
  }
}
