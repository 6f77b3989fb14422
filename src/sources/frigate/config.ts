import { z } from 'zod';

/** `frigate:` — enrich an existing Frigate install's events; documented in docs/frigate.md. */
export const frigateSchema = z
  .object({
    /** Frigate's HTTP API, e.g. http://frigate:5000 (the unauthenticated internal port); Frigate is used only when it is set. */
    url: z
      .string()
      .regex(/^https?:\/\//, 'a URL starting with http:// or https://, such as http://frigate:5000')
      .optional(),
    /** Frigate's `mqtt.topic_prefix`. */
    topic_prefix: z
      .string()
      .regex(/^[^#+]+$/, 'a topic without + or #')
      .default('frigate'),
    /** The broker Frigate publishes to, when it is not the one Argus uses. */
    mqtt_url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp):\/\//, 'a URL starting with mqtt://, mqtts://, ws:// or wss://')
      .optional(),
    /** Frigate labels whose events Argus analyses. */
    labels: z.array(z.string().min(1)).min(1).default(['person']),
    /** Frigate cameras to watch; empty watches all of them. */
    cameras: z.array(z.string().min(1)).default([]),
    /** Tries to fetch an event's snapshot before giving up on that event update. */
    snapshot_attempts: z.number().int().min(1).max(10).default(3),
    /** Seconds between those tries. */
    retry_interval: z.number().min(0).max(30).default(1),
    /** Write a recognised name back to Frigate as the event's sub label. */
    set_sub_label: z.boolean().default(true),
    /** Replace a sub label Frigate (or another tool) already gave an event; off keeps theirs. */
    overwrite_sub_label: z.boolean().default(false),
  })
  .strict();

export type FrigateConfig = z.infer<typeof frigateSchema>;
