import type { Keypoint, PoseDetection } from '../../models/detection.js';
import type { RgbImage } from '../../vision/image.js';
import { iou, type Box } from '../../vision/iou.js';
import type { ReferencePose } from '../../store/poses.js';
import type { PoseConfig } from './config.js';
import type { Detection } from '../../events/analyzed-frame.js';
import { normalisePose, poseSimilarity, torsoAngle, torsoTilt } from './pose-vector.js';
import { PoseFollower, type FollowModels } from './pose-follower.js';
import { PoseHold } from './pose-hold.js';

/** A fallen-looking body may be missed in a frame or two before it counts as gone. */
const FALL_GRACE_MS = 1500;

/** Whether a pose is a person worth reporting: enough visible keypoints and tall enough. */
export function isPresent(pose: PoseDetection, config: PoseConfig): boolean {
  const visible = pose.keypoints.filter((k) => k.score >= config.min_keypoint_score);
  if (visible.length < config.min_keypoints) return false;
  const ys = visible.map((k) => k.y);
  return Math.max(...ys) - Math.min(...ys) >= config.min_height_px;
}

/** How alike this pose is to each saved one (none without a centre and a scale to normalise by). */
export function poseSimilarities(kps: readonly Keypoint[], references: readonly ReferencePose[], minScore: number): Map<string, number> {
  const vector = normalisePose(kps, minScore);
  return new Map(vector ? references.map((ref) => [ref.name, poseSimilarity(vector, ref.vector)]) : []);
}

/** Of these similarities (`poseSimilarities`), the saved pose matched best at or above its threshold, or null. */
function bestMatch(similarities: ReadonlyMap<string, number>, references: readonly ReferencePose[]): { name: string; similarity: number } | null {
  let best: { name: string; similarity: number } | null = null;
  for (const ref of references) {
    const similarity = similarities.get(ref.name) ?? 0;
    if (similarity >= ref.threshold && (!best || similarity > best.similarity)) best = { name: ref.name, similarity };
  }
  return best;
}

interface FallCandidate {
  box: Box;
  since: number;
  lastSeen: number;
}

/**
 * Poses on one camera: presence, named reference poses, and falls (a torso's line near horizontal,
 * low in the frame, for `fall_seconds`).
 */
export class PoseAnalyzer {
  private falls: FallCandidate[] = [];
  private readonly follower: PoseFollower;
  private readonly held: PoseHold;

  constructor(
    models: FollowModels,
    private readonly config: PoseConfig,
    /** The saved reference poses to look for (read each frame, so a newly saved pose counts at once). */
    private readonly references: () => readonly ReferencePose[],
    private readonly detectFalls = true,
  ) {
    this.follower = new PoseFollower(models);
    this.held = new PoseHold(config.match_hits, config.match_frames);
  }

  async analyze(img: RgbImage, persons: readonly Box[], time: number): Promise<Detection[]> {
    const refs = this.references();
    const out: Detection[] = [];
    const seen: FallCandidate[] = [];
    const present = (await this.follower.find(img, persons, time)).filter((pose) => isPresent(pose, this.config));
    const similarities = present.map((pose) => poseSimilarities(pose.keypoints, refs, this.config.min_keypoint_score));
    const matched = similarities.map((sims) => bestMatch(sims, refs)?.name ?? null);
    const shown = this.held.update(
      present.map((pose, i) => ({ box: pose.box, match: matched[i] })),
      time,
    );
    for (const [i, pose] of present.entries()) {
      const name = shown[i];
      const similarity = name === null ? null : (similarities[i].get(name) ?? null);
      const fall = this.detectFalls ? this.fallState(pose, img.height, time, seen) : { fallen: false, angle: null };
      out.push({
        kind: 'pose',
        label: fall.fallen ? 'fall' : (name ?? 'person'),
        // a saved pose's score is how alike it is (what its threshold reads), not how sure the detector is of a body
        score: name !== null && !fall.fallen && similarity !== null ? Math.max(0, Math.min(1, similarity)) : pose.score,
        box: pose.box,
        attributes: {
          // to a tenth of a pixel and a thousandth of a score: every event message carries them (33 of them: 3.8 KB unrounded)
          keypoints: pose.keypoints.map((k) => ({ name: k.name, x: Math.round(k.x * 10) / 10, y: Math.round(k.y * 10) / 10, score: Math.round(k.score * 1000) / 1000 })),
          pose: name,
          similarity,
          detector_score: pose.score,
          fallen: fall.fallen,
          torso_angle: fall.angle,
        },
      });
    }
    this.falls = [...seen, ...this.falls.filter((c) => !seen.includes(c) && time - c.lastSeen <= FALL_GRACE_MS)];
    return out;
  }

  /** Whether this body lies low in the frame, and since when (matched to last frames' bodies by overlap). */
  private fallState(pose: PoseDetection, height: number, time: number, seen: FallCandidate[]): { fallen: boolean; angle: number | null } {
    const min = this.config.min_keypoint_score;
    const angle = torsoAngle(pose.keypoints, min);
    const hips = pose.keypoints.filter((k) => (k.name === 'left_hip' || k.name === 'right_hip') && k.score >= min);
    const low = hips.length > 0 && hips.reduce((s, k) => s + k.y, 0) / hips.length >= this.config.fall_min_y * height;
    if (angle === null || torsoTilt(angle) < this.config.fall_angle || !low) return { fallen: false, angle };
    let candidate = this.falls.find((c) => !seen.includes(c) && iou(c.box, pose.box) > 0.2);
    if (!candidate) candidate = { box: pose.box, since: time, lastSeen: time };
    candidate.box = pose.box;
    candidate.lastSeen = time;
    seen.push(candidate);
    return { fallen: time - candidate.since >= this.config.fall_seconds * 1000, angle };
  }

  reset(): void {
    this.falls = [];
    this.follower.reset();
    this.held.reset();
  }
}
