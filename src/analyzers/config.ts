import { z } from 'zod';
import { parseSchedule } from './schedule.js';

/** `analyzers:` (global defaults) — weapon, faces, pose, regions, scheduler; documented in docs/analyzers.md. */

export const WEAPON_LABELS = ['knife', 'pistol', 'handgun', 'gun', 'rifle', 'long_gun'] as const;

const weaponSchema = z
  .object({
    /** Object labels that count as weapons: COCO's `knife`, plus what a user pistol/rifle model emits. */
    labels: z.array(z.string().min(1)).min(1).default([...WEAPON_LABELS]),
    min_score: z.number().min(0).max(1).default(0.4),
    /** Smallest weapon box, in pixels² at the camera's detect size. */
    min_area: z.number().min(0).default(100),
    /** A weapon is confirmed after `confirm_hits` frames with one among the last `confirm_frames` analysed. */
    confirm_hits: z.number().int().min(1).default(2),
    confirm_frames: z.number().int().min(1).default(3),
  })
  .strict()
  .refine((w) => w.confirm_hits <= w.confirm_frames, { message: 'confirm_hits cannot exceed confirm_frames', path: ['confirm_hits'] });

const personSchema = z
  .object({
    min_score: z.number().min(0).max(1).default(0.4),
    /** Smallest person box, in pixels² at the camera's detect size. */
    min_area: z.number().min(0).default(400),
  })
  .strict();

const facesSchema = z
  .object({
    /**
     * Two unknown faces at least this similar (cosine) are the same stranger, for the cooldown
     * (different people on the fixture photos reach 0.66).
     * Who a face is comes from the registry, at its `faces.threshold`.
     */
    unknown_similarity: z.number().min(-1).max(1).default(0.7),
    /** Faces narrower than this (pixels at detect size) are skipped: too small to recognise. */
    min_face_px: z.number().int().min(1).default(32),
    /** Variance of the Laplacian of the face scaled to 64 px; below it the face is too blurred to embed. */
    min_sharpness: z.number().min(0).default(30),
    /** Seconds a person must go unseen on a camera before they count as a new visit (one visit, one event). */
    cooldown: z.number().min(0).default(60),
  })
  .strict();

const poseSchema = z
  .object({
    /** A keypoint counts as visible at or above this score. */
    min_keypoint_score: z.number().min(0).max(1).default(0.5),
    /** A person is present when at least this many keypoints are visible… */
    min_keypoints: z.number().int().min(1).default(8),
    /** …and their box is at least this tall (pixels at detect size). */
    min_height_px: z.number().min(0).default(48),
    /** Poses are looked for on at most this many people a frame, the surest first (each costs a model run). */
    max_people: z.number().int().min(1).max(20).default(5),
    /** Similarity a saved reference pose gets when saved without its own threshold. */
    match_threshold: z.number().min(-1).max(1).default(0.9),
    /** Fall: torso at least this many degrees from vertical… */
    fall_angle: z.number().min(0).max(90).default(60),
    /** …with the hips below this share of the frame height (0 top, 1 bottom)… */
    fall_min_y: z.number().min(0).max(1).default(0.4),
    /** …for this many seconds. */
    fall_seconds: z.number().min(0).default(2),
  })
  .strict();

const regionsSchema = z
  .object({
    /** Crop square regions around motion instead of shrinking the whole frame (as Frigate does). */
    enabled: z.boolean().default(true),
    /** Side of a region in frame pixels at least: the object model's input (CenterNet: 512). */
    size: z.number().int().min(32).default(512),
    /** Crop only when the frame's longer side is at least this many times `size`. */
    min_ratio: z.number().min(1).default(1.5),
    /** At most this many regions a frame; beyond it the whole frame is used. */
    max_regions: z.number().int().min(1).default(4),
  })
  .strict();

export const analyzersSchema = z
  .object({
    weapon: weaponSchema.prefault({}),
    person: personSchema.prefault({}),
    faces: facesSchema.prefault({}),
    pose: poseSchema.prefault({}),
    regions: regionsSchema.prefault({}),
    /** Frames analysed at once across all cameras (each still fair: one camera never has two in flight). */
    concurrency: z.number().int().min(1).max(16).default(1),
  })
  .strict();

/** `mon-fri 22:00-06:00`, checked when the config is read so a typo stops start-up with its reason. */
const scheduleEntry = z.string().superRefine((s, ctx) => {
  try {
    parseSchedule(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

const cameraAnalyzerSchema = (enabled: boolean) =>
  z
    .object({
      enabled: z.boolean().default(enabled),
      /** Active windows; empty means always. Outside them the analyzer does not run, so raises nothing. */
      schedule: z.array(scheduleEntry).default([]),
      /** Only detections inside one of these zones count (zones are defined under `cameras.<name>.zones`). */
      required_zones: z.array(z.string()).default([]),
    })
    .strict();

/** Per camera, under `cameras.<name>.analyzers`: which analyzers run, when, and where. */
export const cameraAnalyzersSchema = z
  .object({
    person: cameraAnalyzerSchema(true).prefault({}),
    weapon: cameraAnalyzerSchema(true).prefault({}),
    faces: cameraAnalyzerSchema(true).prefault({}),
    pose: cameraAnalyzerSchema(true)
      .extend({
        /** Reference poses to look for (saved with `POST /api/poses/:name`); empty means all saved. */
        poses: z.array(z.string()).default([]),
        fall: z.boolean().default(true),
      })
      .prefault({}),
  })
  .strict();

export type AnalyzersConfig = z.infer<typeof analyzersSchema>;
export type CameraAnalyzersConfig = z.infer<typeof cameraAnalyzersSchema>;
export type AnalyzerName = keyof CameraAnalyzersConfig;
export const ANALYZER_NAMES: readonly AnalyzerName[] = ['person', 'weapon', 'faces', 'pose'];
