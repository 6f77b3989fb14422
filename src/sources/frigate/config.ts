import { z } from 'zod';

/** `frigate:` — enrich an existing Frigate install's events; documented in docs/frigate.md. */
export const frigateSchema = z
  .object({
    url: z.string().optional(),
  })
  .strict();
