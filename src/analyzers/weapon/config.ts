import { z } from 'zod';

/** `analyzers.weapon`; documented in docs/analyzers.md and docs/weapons.md. */

/** The classes the default detector learnt (docs/weapons.md); a user model may add others (`gun`, `rifle`). */
export const WEAPON_LABELS = ['pistol', 'knife'] as const;

/**
 * Per-label score thresholds of the default detector's weapon classes, their candidates verified
 * (docs/weapons.md): on the weapons valid split pistol precision 0.92 at recall 0.38, knife 0.94
 * at 0.12; above the highest score seen on the fixture photos and clips (pistol 0.21, knife 0.45),
 * and none of them raises a weapon event, pose and wrist raise included. Other labels use `min_score`.
 */
export const DEFAULT_THRESHOLDS: Record<string, number> = { pistol: 0.5, knife: 0.6 };

export const weaponSchema = z
  .object({
    /** Object labels that count as weapons. */
    labels: z
      .array(z.string().min(1))
      .min(1)
      .default([...WEAPON_LABELS]),
    /** Threshold of a label not in `thresholds`. */
    min_score: z.number().min(0).max(1).default(0.5),
    /** Per-label thresholds; labels left out keep the defaults above. */
    thresholds: z
      .record(z.string().min(1), z.number().min(0).max(1))
      .default({})
      .transform((t) => ({ ...DEFAULT_THRESHOLDS, ...t })),
    /** Smallest weapon box, in pixels² at the camera's detect size. */
    min_area: z.number().min(0).default(100),
    /** A weapon is confirmed after `confirm_hits` frames with one among the last `confirm_frames` analyzed. */
    confirm_hits: z.number().int().min(1).default(2),
    confirm_frames: z.number().int().min(1).default(3),
    /** A weapon with no person near it (a picture, a toy on a shelf) needs this many hits in `alone_confirm_frames`. */
    alone_confirm_hits: z.number().int().min(1).default(4),
    alone_confirm_frames: z.number().int().min(1).default(6),
    /**
     * A weapon at a person's wrist (pose keypoints): its score becomes score + (1 − score) × boost,
     * and it names that person `armed person`. 0 turns the pose check off.
     */
    wrist_boost: z.number().min(0).max(1).default(0.3),
    /** How near a wrist counts, as a share of the weapon box's longer side (plus a tenth of the person's height). */
    wrist_distance: z.number().min(0).default(0.5),
  })
  .strict()
  .refine((w) => w.confirm_hits <= w.confirm_frames, { message: 'confirm_hits cannot exceed confirm_frames', path: ['confirm_hits'] })
  .refine((w) => w.alone_confirm_hits <= w.alone_confirm_frames, { message: 'alone_confirm_hits cannot exceed alone_confirm_frames', path: ['alone_confirm_hits'] });

export type WeaponConfig = z.infer<typeof weaponSchema>;

/** The score from which `label` raises a weapon alert: its own threshold, else `min_score`. */
export function weaponThreshold(config: Pick<WeaponConfig, 'thresholds' | 'min_score'>, label: string): number {
  return config.thresholds[label] ?? config.min_score;
}
