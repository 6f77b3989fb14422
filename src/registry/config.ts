import { z } from 'zod';
/**
 * FaceRes' threshold for at most 0.1 % false accepts between different people, chosen on the
 * calibration split of `npm run calibrate:faces` (docs/faces.md#calibration).
 */
export const CALIBRATED_FACE_THRESHOLD = 0.71;

/**
 * `faces:` — the face registry: when a face counts as someone, and its rotating backups.
 * Documented in docs/faces.md.
 */
export const registryConfigSchema = z
  .object({
    /**
     * Cosine similarity at or above which a face is that person (and a new sample of another
     * person is refused as a duplicate). Calibrated: docs/faces.md#calibration.
     */
    threshold: z.number().min(0).max(1).default(CALIBRATED_FACE_THRESHOLD),
    /** How far the best person's similarity must lead the second-best person's for a name (0 turns it off). */
    margin: z.number().min(0).max(1).default(0.04),
    /** Samples of the person at or above the threshold needed for a name, capped at the samples they have. */
    min_agreeing: z.number().int().min(1).max(100).default(1),
    backups: z
      .object({
        /** Rotating backups kept in `<data>/backups/`; 0 turns them off. */
        keep: z.number().int().min(0).max(1000).default(10),
        /** Besides those, the last backup of each of this many latest days with one (a burst of edits keeps yesterday's registry). */
        keep_daily: z.number().int().min(0).max(1000).default(7),
        /** Seconds after the last change before a backup is written (changes in a burst make one). */
        delay: z.number().min(0).max(3600).default(10),
      })
      .strict()
      .default({ keep: 10, keep_daily: 7, delay: 10 }),
    /**
     * Average similarity at or above which unknown faces are shown as one stranger on the "Who is
     * this?" page. Below `threshold`: frames of one face on a camera score 0.56–0.70 together
     * (docs/faces.md#naming-strangers), and a wrong group is seen and untick-able before naming.
     */
    group_threshold: z.number().min(0).max(1).default(0.6),
    /** Largest photo accepted for enrolment, in megabytes. */
    max_upload_mb: z.number().gt(0).max(100).default(5),
    /** Seconds after a person was last seen before their HA sensor says `away` (docs/home-assistant.md). */
    away_after: z
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(600),
  })
  .strict();

export type RegistryConfig = z.infer<typeof registryConfigSchema>;
