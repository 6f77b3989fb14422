import { z } from 'zod';

/** `analyzers.pose`; documented in docs/analyzers.md. */
export const poseSchema = z
  .object({
    /** A keypoint counts as visible at or above this score. */
    min_keypoint_score: z.number().min(0).max(1).default(0.5),
    /** A person is present when at least this many keypoints are visible… */
    min_keypoints: z.number().int().min(1).default(8),
    /** …and their box is at least this tall (pixels at detect size). */
    min_height_px: z.number().min(0).default(48),
    /** Poses are looked for on at most this many people a frame, the surest first (each costs a model run). */
    max_people: z.number().int().min(1).max(20).default(5),
    /**
     * Similarity a saved reference pose gets when saved without its own threshold: the mean cosine
     * of its bones' directions (pose-vector.ts). 0.7: the other cheerleaders of `hands_up` score
     * 0.82–0.97, no one else on the fixtures or the Hamilton clip over 0.49 (docs/analyzers.md).
     */
    match_threshold: z.number().gt(0).max(1).default(0.7),
    /** A saved pose counts once a body matches it in `match_hits` of its last `match_frames` analysed frames, and stays while it matches in any of them. */
    match_hits: z.number().int().min(1).default(2),
    match_frames: z.number().int().min(1).default(3),
    /** Fall: the torso's line at least this many degrees from the vertical, whichever way it points… */
    fall_angle: z.number().min(0).max(90).default(60),
    /** …with the hips below this share of the frame height (0 top, 1 bottom)… */
    fall_min_y: z.number().min(0).max(1).default(0.4),
    /** …for this many seconds. */
    fall_seconds: z.number().min(0).default(2),
  })
  .strict()
  .refine((o) => o.match_hits <= o.match_frames, { message: 'match_hits cannot exceed match_frames', path: ['match_hits'] });

/** Per camera, beside `enabled`, `schedule` and `required_zones`. */
export const poseCameraShape = {
  /** Reference poses to look for (saved with `POST /api/poses/:name`); empty means all saved. */
  poses: z.array(z.string()).default([]),
  fall: z.boolean().default(true),
};

export type PoseConfig = z.infer<typeof poseSchema>;
export type PoseCameraConfig = { poses: string[]; fall: boolean };
