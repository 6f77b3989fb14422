import { hipsInBox } from '../../models/blazepose.js';
import type { BodyRoi, PoseDetection } from '../../models/detection.js';
import type { Detector } from '../../models/detector.js';
import type { RgbImage } from '../../vision/image.js';
import { iou, type Box } from '../../vision/iou.js';
import { detectPoseIn, type PoseModels } from './find-poses.js';

export type FollowModels = PoseModels & Pick<Detector, 'followPoses'>;

export interface FollowOptions {
  /** A body last seen longer ago than this is searched for afresh (frames are skipped under load). */
  maxAgeMs: number;
  /** BlazePose's detector places a followed body again at least every this many frames. */
  refreshEvery: number;
}

/** A person box this much like an empty one of the last frame is taken to be the same. */
const EMPTY_IOU = 0.5;

export const FOLLOW_DEFAULTS: FollowOptions = { maxAgeMs: 1000, refreshEvery: 3 };

/** A body an earlier frame's pose found: where the landmark model looks for it next. */
interface Track {
  roi: BodyRoi;
  time: number;
  /** Frames in a row it was found by following, since the detector last placed it. */
  followed: number;
}

/** A person box the detector found no body in: not searched again while its box stays, until the refresh. */
interface Empty {
  box: Box;
  time: number;
  skipped: number;
}

/** Whether a body's hip centre lies in a person box, or below it (a close-up), as the detector path takes it. */
const hipsIn = (roi: BodyRoi, b: Box) => hipsInBox([roi.cx, roi.cy], b);

/** Per person box, the untaken track whose hips it holds nearest its centre line. */
function matchTracks(tracks: readonly Track[], persons: readonly Box[]): (Track | undefined)[] {
  const taken = new Set<Track>();
  return persons.map((box) => {
    const centre = (box[0] + box[2]) / 2;
    const [best] = tracks.filter((t) => !taken.has(t) && hipsIn(t.roi, box)).sort((a, b) => Math.abs(a.roi.cx - centre) - Math.abs(b.roi.cx - centre));
    if (best) taken.add(best);
    return best;
  });
}

/**
 * Poses on one camera, found as MediaPipe Pose finds them in a video: a body whose pose the last
 * frame found is looked for again by the landmark model alone, in the ROI that pose gave; the
 * pose detector runs only for a box no recent body matches, where the landmark model loses the
 * body (pose flag below the minimum, or hips now outside the box), and every `refreshEvery` frames.
 * A box the detector found no body in, where the last frame had none either (a half-hidden face in
 * a crowd), is not searched again while the next frames' box stays where it was, until the refresh.
 * Only this frame's bodies and boxes are kept: one whose person box is gone is forgotten.
 */
export class PoseFollower {
  private tracks: Track[] = [];
  private empties: Empty[] = [];

  constructor(
    private readonly models: FollowModels,
    private readonly opts: FollowOptions = FOLLOW_DEFAULTS,
  ) {}

  /** As `findPoses`: one pose per person box that holds a body, or the whole frame's without boxes. */
  async find(img: RgbImage, persons: readonly Box[], time: number): Promise<PoseDetection[]> {
    if (persons.length === 0) {
      this.tracks = [];
      this.empties = [];
      return this.models.detectPoses(img);
    }
    return (await this.findEach(img, persons, time)).filter((p) => p !== undefined);
  }

  /** Each person box's pose (undefined where none), followed from the last frame where one matches. */
  async findEach(img: RgbImage, persons: readonly Box[], time: number): Promise<(PoseDetection | undefined)[]> {
    const { maxAgeMs, refreshEvery } = this.opts;
    const usable = <T extends { time: number }>(all: T[], count: (t: T) => number) => all.filter((t) => time >= t.time && time - t.time <= maxAgeMs && count(t) + 1 < refreshEvery);
    const matched = matchTracks(
      usable(this.tracks, (t) => t.followed),
      persons,
    );
    const empties = usable(this.empties, (e) => e.skipped);
    const rois = matched.flatMap((t) => (t ? [t.roi] : []));
    const emptyOf = persons.map((person, i) => (matched[i] ? undefined : empties.find((e) => iou(e.box, person) >= EMPTY_IOU)));
    // A person no track matches is looked for by the detector at once, queued beside the following.
    const fresh = persons.map((person, i) => (matched[i] || emptyOf[i] ? undefined : detectPoseIn(this.models, img, person)));
    for (const f of fresh) f?.catch(() => undefined); // a failure surfaces where it is awaited
    const followed = rois.length > 0 ? await this.models.followPoses(img, rois) : [];
    const out: (PoseDetection | undefined)[] = [];
    const next: Track[] = [];
    const nextEmpty: Empty[] = [];
    let k = 0;
    for (const [i, person] of persons.entries()) {
      const track = matched[i];
      const again = track ? followed[k++] : undefined;
      const kept = again?.roi && hipsIn(again.roi, person) ? again : undefined;
      const empty = emptyOf[i];
      if (empty) {
        out.push(undefined);
        nextEmpty.push({ box: person, time, skipped: empty.skipped + 1 });
        continue;
      }
      const pose = kept ?? (await (fresh[i] ?? detectPoseIn(this.models, img, person)));
      out.push(pose);
      if (pose?.roi) next.push({ roi: pose.roi, time, followed: kept && track ? track.followed + 1 : 0 });
      else if (!pose && !this.tracks.some((t) => hipsIn(t.roi, person))) nextEmpty.push({ box: person, time, skipped: 0 });
    }
    this.tracks = next;
    this.empties = nextEmpty;
    return out;
  }

  reset(): void {
    this.tracks = [];
    this.empties = [];
  }
}
