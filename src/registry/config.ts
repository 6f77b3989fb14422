import { z } from 'zod';

/**
 * `faces:` — the face registry: when a face counts as someone, and its rotating backups.
 * Documented in docs/faces.md.
 */
export const registryConfigSchema = z
  .object({
    /**
     * Cosine similarity at or above which a face is that person (and a new sample of another
     * person is refused as a duplicate). Chosen on the fixture photos: see docs/faces.md.
     */
    threshold: z.number().min(0).max(1).default(0.58),
    backups: z
      .object({
        /** Rotating backups kept in `<data>/backups/`; 0 turns them off. */
        keep: z.number().int().min(0).max(1000).default(10),
        /** Seconds after the last change before a backup is written (changes in a burst make one). */
        delay: z.number().min(0).max(3600).default(10),
      })
      .strict()
      .default({ keep: 10, delay: 10 }),
    /** Largest photo accepted for enrolment, in megabytes. */
    max_upload_mb: z.number().gt(0).max(100).default(5),
  })
  .strict();

export type RegistryConfig = z.infer<typeof registryConfigSchema>;
