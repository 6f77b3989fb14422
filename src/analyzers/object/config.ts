import { z } from 'zod';

/** `analyzers.object`; documented in docs/analyzers.md and docs/weapons.md ("Training your own classes"). */
export const objectSchema = z
  .object({
    /**
     * Object labels that raise `object` events: classes trained here (`models.objects.heads`) or
     * the detector's own (COCO: `dog`, `car`, `bicycle`…). Empty, the default: the analyzer runs nowhere.
     */
    labels: z.array(z.string().min(1)).default([]),
    /** Threshold of a label not in `thresholds`. */
    min_score: z.number().min(0).max(1).default(0.5),
    /** Per-label thresholds, e.g. `{bin: 0.6}` (the threshold `argus train objects` printed for a precision of 0.9). */
    thresholds: z.record(z.string().min(1), z.number().min(0).max(1)).default({}),
    /** Smallest box, in pixels² at the camera's detect size. */
    min_area: z.number().min(0).default(100),
    /** A label is reported once seen in `confirm_hits` of the last `confirm_frames` analyzed frames. */
    confirm_hits: z.number().int().min(1).default(2),
    confirm_frames: z.number().int().min(1).default(3),
  })
  .strict()
  .refine((o) => o.confirm_hits <= o.confirm_frames, { message: 'confirm_hits cannot exceed confirm_frames', path: ['confirm_hits'] });

export type ObjectConfig = z.infer<typeof objectSchema>;
