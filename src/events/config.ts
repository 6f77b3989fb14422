import { z } from 'zod';

/** `events:` (global) — lifecycle and retention; documented in docs/events.md. */
export const eventsSchema = z
  .object({
    /** Seconds an object may go unseen before its event ends. */
    end_after: z.number().gt(0).default(10),
    /**
     * Frames an object must be seen in before its event starts. 1, because the analyzers already
     * confirm (weapon `confirm_hits`) and a face arrives once per visit; raise it against flicker.
     */
    min_frames: z.number().int().min(1).max(100).default(1),
    retain: z
      .object({
        /** Events (rows and snapshots) older than this many days are deleted. */
        days: z.number().gt(0).default(10),
        /** Snapshots beyond this many megabytes are deleted, oldest first (the rows stay). */
        max_mb: z.number().gt(0).default(1000),
      })
      .strict()
      .default({ days: 10, max_mb: 1000 }),
  })
  .strict();

export type EventsConfig = z.infer<typeof eventsSchema>;

/**
 * A polygon in detect-size pixels, Frigate-like: a flat string `"x1,y1,x2,y2,…"` or a list of
 * `[x, y]` pairs. Coordinates that are all ≤ 1 are read as fractions of the frame.
 */
const polygonSchema = z
  .union([z.string(), z.array(z.tuple([z.number(), z.number()]))])
  .transform((v, ctx): Array<[number, number]> => {
    if (Array.isArray(v)) return v;
    const nums = v.split(',').map((s) => Number(s.trim()));
    if (nums.length % 2 !== 0 || nums.some((n) => !Number.isFinite(n))) {
      ctx.addIssue({ code: 'custom', message: 'a polygon string is "x1,y1,x2,y2,…": pairs of numbers separated by commas' });
      return z.NEVER;
    }
    const points: Array<[number, number]> = [];
    for (let i = 0; i < nums.length; i += 2) points.push([nums[i], nums[i + 1]]);
    return points;
  })
  .refine((p) => p.length >= 3, 'a polygon needs at least 3 points');

export const zoneSchema = z
  .object({
    coordinates: polygonSchema,
    /** Labels this zone counts (`person`, `knife`, …); leave out for every label. */
    objects: z.array(z.string()).optional(),
  })
  .strict();

/** `cameras.<name>.zones.<zone>` */
export const cameraZonesSchema = z.record(z.string().regex(/^[a-z0-9_]+$/, 'zone names use a-z, 0-9 and _ only'), zoneSchema).default({});

/** `cameras.<name>.masks`: areas whose detections are ignored (one polygon or a list). */
export const cameraMasksSchema = z
  .union([polygonSchema, z.array(polygonSchema)])
  .default([])
  .transform((v): Array<Array<[number, number]>> => (v.length > 0 && typeof v[0][0] === 'number' ? [v as Array<[number, number]>] : (v as Array<Array<[number, number]>>)));

export type Polygon = Array<[number, number]>;
export type ZoneConfig = z.infer<typeof zoneSchema>;
export type CameraZones = z.infer<typeof cameraZonesSchema>;
export type CameraMasks = z.infer<typeof cameraMasksSchema>;
