import { cameraUrlProblem } from './camera-url-check.js';
import { z } from 'zod';
import type { AnyAnalyzer } from '../analyzers/analyzer.js';
import { analyzersSchemaFor, cameraAnalyzersSchemaFor, type AnalyzersConfig, type CameraAnalyzersConfig } from '../analyzers/config.js';
import { ANALYZERS } from '../analyzers/list.js';
import { cameraMasksSchema, cameraZonesSchema, eventsSchema } from '../events/config.js';
import { modelsSchema } from '../models/model-config.js';
import { homeAssistantSchema } from '../outputs/homeassistant/config.js';
import { telegramSchema } from '../outputs/telegram/config.js';
import { registryConfigSchema } from '../registry/config.js';
import { frigateSchema } from '../sources/frigate/config.js';

/**
 * The one Argus configuration schema. Every other view of the config (the add-on's
 * `config.yaml` schema, docs/configuration.md, TypeScript types) follows this file.
 */

const CAMERA_NAME = /^[a-z0-9_]+$/;
const RESERVED_CAMERA_NAMES = ['bridge', 'people'];

/** ffmpeg args may be written as one string ("-rtsp_transport tcp") or a list. */
const ffmpegArgs = z
  .union([z.string(), z.array(z.string())])
  .default([])
  .transform((v) => (typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : v));

export const motionSchema = z
  .object({
    /** Per-pixel grey-level difference (0-255) that counts as change. */
    threshold: z.number().int().min(1).max(255).default(25),
    /** Smallest changed region, in pixels at the camera's detect size, that counts as motion. */
    min_area: z.number().int().min(1).default(300),
    /** How fast the background follows the scene (0-1 per frame); slower keeps slow movers visible. */
    background_alpha: z.number().gt(0).max(1).default(0.05),
    /**
     * While events are open on the camera, a still frame is analysed this often (seconds), so a
     * person who sits still stays seen (the background takes them in); 0: moving frames only.
     */
    still_interval: z.number().min(0).max(60).default(1),
  })
  .strict();

/** A camera, with the analyzers of a list under `analyzers:`. */
export const cameraSchemaFor = (analyzers: readonly AnyAnalyzer[]) =>
  z
    .object({
      /** rtsp://, rtsps://, http(s):// (MJPEG or any stream ffmpeg reads), or a file path. */
      url: z
        .string()
        .min(1, 'a camera needs a url')
        .superRefine((url, ctx) => {
          const problem = cameraUrlProblem(url);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      enabled: z.boolean().default(true),
      detect: z
        .object({
          width: z.number().int().min(32).max(7680).default(640),
          height: z.number().int().min(32).max(4320).default(360),
          fps: z.number().gt(0).max(60).default(5),
        })
        .strict()
        .default({ width: 640, height: 360, fps: 5 }),
      input_args: ffmpegArgs,
      hwaccel_args: ffmpegArgs,
      /** Seconds without a frame before the stream is declared stalled and restarted. */
      stall_timeout: z.number().gt(0).max(600).default(10),
      motion: motionSchema.prefault({}),
      /** Named polygons (docs/events.md). */
      zones: cameraZonesSchema,
      /** Areas whose detections are ignored (docs/events.md). */
      masks: cameraMasksSchema,
      /** Which analyzers run on this camera, when, and where (docs/analyzers.md). */
      analyzers: (cameraAnalyzersSchemaFor(analyzers) as unknown as z.ZodType<CameraAnalyzersConfig>).prefault({}),
    })
    .strict();

export const cameraSchema = cameraSchemaFor(ANALYZERS);

export const mqttSchema = z
  .object({
    /** mqtt://host:1883 or mqtts://…; leave out to run the embedded broker. */
    url: z
      .string()
      .regex(/^(mqtts?|wss?|tcp):\/\//, 'a URL starting with mqtt://, mqtts://, ws:// or wss://')
      .optional(),
    user: z.string().optional(),
    password: z.string().optional(),
    base_topic: z
      .string()
      .regex(/^[^#+/][^#+]*$/, 'a topic without + or # that does not start with /')
      .default('argus'),
    discovery_prefix: z.string().default('homeassistant'),
    /** Port of the embedded broker when no url is given (0 = any free port). */
    embedded_port: z.number().int().min(0).max(65535).default(1883),
  })
  .strict();

/**
 * The whole config for a list of analyzers (their options, their per-camera keys, the alert
 * kinds Telegram chats may name). `configSchema` is it for the built-in list.
 */
export const configSchemaFor = (analyzers: readonly AnyAnalyzer[]) =>
  z
    .object({
      cameras: z
        .record(
          z
            .string()
            .regex(CAMERA_NAME, 'camera names use a-z, 0-9 and _ only')
            // HA device ids `argus_bridge` and `argus_people` are taken (src/outputs/mqtt/ha-topics.ts).
            .refine((name) => !RESERVED_CAMERA_NAMES.includes(name), { message: `${RESERVED_CAMERA_NAMES.join(' and ')} are reserved: name the camera otherwise` }),
          cameraSchemaFor(analyzers),
        )
        .default({}),
      mqtt: mqttSchema.default({ base_topic: 'argus', discovery_prefix: 'homeassistant', embedded_port: 1883 }),
      server: z
        .object({
          port: z.number().int().min(0).max(65535).default(8099),
          host: z.string().default('0.0.0.0'),
          /** Add-on only: a second, token-protected port beside the ingress port (off when unset). */
          direct_port: z.number().int().min(1).max(65535).optional(),
          /** Access token for requests that do not come through HA ingress; generated into the data dir if unset. */
          token: z.string().min(16, 'a token of at least 16 characters').optional(),
          /** Largest photo `POST /api/analyze` and `POST /api/poses/:name` accept (face photos: `faces.max_upload_mb`). */
          max_upload_mb: z.number().gt(0).max(100).default(10),
          /**
           * Where Home Assistant and a phone reach Argus' API (http://192.168.1.5:8100): snapshot links
           * in HA events, MQTT and Telegram start with it. Unset: links stay relative (docs/api.md).
           */
          public_url: z
            .string()
            .regex(/^https?:\/\/[^/?#]+(\/[^?#]*)?$/, 'an http:// or https:// URL without ?query or #fragment, such as http://192.168.1.5:8100')
            .optional(),
          /** Hours a signed snapshot link stays valid. */
          snapshot_url_ttl: z.number().gt(0).max(8760).default(24),
        })
        .strict()
        .default({ port: 8099, host: '0.0.0.0', max_upload_mb: 10, snapshot_url_ttl: 24 }),
      data_dir: z.string().default('./data'),
      log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      models: modelsSchema.prefault({}),
      analyzers: (analyzersSchemaFor(analyzers) as unknown as z.ZodType<AnalyzersConfig>).prefault({}),
      events: eventsSchema.prefault({}),
      faces: registryConfigSchema.prefault({}),
      telegram: telegramSchema.optional(),
      homeassistant: homeAssistantSchema.optional(),
      frigate: frigateSchema.optional(),
      ffmpeg: z
        .object({
          /** Path to an ffmpeg binary; otherwise PATH, then the npm-shipped one. */
          path: z.string().optional(),
        })
        .strict()
        .default({}),
    })
    .strict()
    .superRefine((config, ctx) => {
      const alerts = analyzers.flatMap((a) => a.kinds.flatMap((k) => k.alerts.map((alert) => alert.name)));
      const cameras = chatCameras(config);
      for (const [i, chat] of (config.telegram?.chats ?? []).entries()) {
        for (const [j, kind] of (chat.kinds ?? []).entries()) {
          if (!alerts.includes(kind)) ctx.addIssue({ code: 'custom', path: ['telegram', 'chats', i, 'kinds', j], message: `not an alert kind; use one of ${alerts.join(', ')}` });
        }
        for (const [j, camera] of (chat.cameras ?? []).entries()) {
          if (cameras && !cameras.includes(camera))
            ctx.addIssue({ code: 'custom', path: ['telegram', 'chats', i, 'cameras', j], message: `one of the configured cameras: ${cameras.join(', ')}` });
        }
      }
    });

/**
 * The cameras a Telegram chat may name: Argus' own and Frigate's listed ones; none configured, the
 * demo camera. Undefined: any name (Frigate watches all of its cameras, which are not known yet).
 */
function chatCameras(config: { cameras: Record<string, unknown>; frigate?: { url?: string; cameras: string[] } }): string[] | undefined {
  const own = Object.keys(config.cameras);
  const frigate = config.frigate?.url ? config.frigate : undefined;
  if (frigate && frigate.cameras.length === 0) return undefined;
  return [...(own.length || frigate ? own : ['demo']), ...(frigate?.cameras ?? [])];
}

export const configSchema = configSchemaFor(ANALYZERS);

export type ArgusConfig = z.infer<typeof configSchema>;
export type CameraConfig = z.infer<typeof cameraSchema>;
export type MotionConfig = z.infer<typeof motionSchema>;
export type MqttConfig = z.infer<typeof mqttSchema>;
