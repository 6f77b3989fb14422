import { z } from 'zod';

/** `events:` (global) — lifecycle and retention; documented in docs/events.md. */
export const eventsSchema = z
  .object({
    /** Seconds an object may go unseen before its event ends. */
    end_after: z.number().gt(0).default(10),
  })
  .strict();

/** Per camera: zones and masks, under `cameras.<name>.zones` / `.masks`. */
export const cameraZonesSchema = z.record(z.string(), z.unknown()).default({});
