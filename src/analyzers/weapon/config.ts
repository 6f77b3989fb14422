import { z } from 'zod';

/** `analyzers.weapon`; documented in docs/analyzers.md. */

export const WEAPON_LABELS = ['knife', 'pistol', 'handgun', 'gun', 'rifle', 'long_gun'] as const;

export const weaponSchema = z
  .object({
    /** Object labels that count as weapons: COCO's `knife`, plus what a user pistol/rifle model emits. */
    labels: z
      .array(z.string().min(1))
      .min(1)
      .default([...WEAPON_LABELS]),
    min_score: z.number().min(0).max(1).default(0.4),
    /** Smallest weapon box, in pixels² at the camera's detect size. */
    min_area: z.number().min(0).default(100),
    /** A weapon is confirmed after `confirm_hits` frames with one among the last `confirm_frames` analyzed. */
    confirm_hits: z.number().int().min(1).default(2),
    confirm_frames: z.number().int().min(1).default(3),
  })
  .strict()
  .refine((w) => w.confirm_hits <= w.confirm_frames, { message: 'confirm_hits cannot exceed confirm_frames', path: ['confirm_hits'] });

export type WeaponConfig = z.infer<typeof weaponSchema>;
