import { z } from 'zod';

/** `analyzers.person`: which objects count as people, for the person events and for every analyzer that looks inside people. */
export const personSchema = z
  .object({
    min_score: z.number().min(0).max(1).default(0.4),
    /** Smallest person box, in pixels² at the camera's detect size. */
    min_area: z.number().min(0).default(400),
  })
  .strict();

export type PersonConfig = z.infer<typeof personSchema>;
