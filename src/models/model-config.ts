import { z } from 'zod';

/**
 * Config for the model runtime and the models themselves, to be merged into the main schema
 * (`models:` key). Field names follow Frigate's `model:` block where the idea is the same.
 */

export const runtimeSchema = z
  .object({
    /** onnxruntime execution provider; `cuda` and `openvino` need the user's own onnxruntime build. CPU is the fallback. */
    provider: z.enum(['cpu', 'cuda', 'openvino']).default('cpu'),
    /** Intra-op threads per worker. */
    threads: z.number().int().min(1).max(64).default(2),
    /** Inference worker threads; each holds its own copy of the sessions. */
    workers: z.number().int().min(1).max(16).default(1),
  })
  .strict();

/** A user-supplied ONNX detector, as Frigate users bring them. */
export const userModelSchema = z
  .object({
    path: z.string().min(1),
    /** Text file, one label a line, in class-index order. */
    labels: z.string().min(1),
    type: z.enum(['yolo']).default('yolo'),
    width: z.number().int().min(32).max(4096).default(640),
    height: z.number().int().min(32).max(4096).default(640),
    input_tensor: z.enum(['nchw', 'nhwc']).default('nchw'),
    input_pixel_format: z.enum(['rgb', 'bgr']).default('rgb'),
    /** float: 0–1 (Ultralytics exports); float_denorm: 0–255. */
    input_dtype: z.enum(['float', 'float_denorm']).default('float'),
    /** Output layout; `auto` reads it from the output shape. */
    layout: z.enum(['auto', 'yolov5', 'yolov8', 'nms', 'nms7']).default('auto'),
    min_score: z.number().min(0).max(1).default(0.4),
    nms_iou: z.number().min(0).max(1).default(0.45),
  })
  .strict();

export const modelsSchema = z
  .object({
    /** Folder with the converted *.onnx files and manifest.json; defaults to the package's models/. */
    dir: z.string().optional(),
    runtime: runtimeSchema.default({ provider: 'cpu', threads: 2, workers: 1 }),
    /** Object detector: the default COCO CenterNet, or a user model (e.g. a pistol/rifle YOLO). */
    objects: z
      .object({
        min_score: z.number().min(0).max(1).default(0.3),
        /** A user model runs beside the default COCO detector (a weapons model rarely knows "person"). */
        model: userModelSchema.optional(),
        /** Set false to run only the user model. */
        use_default: z.boolean().default(true),
        /**
         * Heads trained by `argus train objects` (`<name>.head.json`), merged into the default
         * detector at start-up beside the shipped pistol and knife (docs/weapons.md).
         */
        heads: z.array(z.string().min(1)).default([]),
        /**
         * The default detector's input: `square` letterboxes every picture into 512×512; `frame`
         * keeps its aspect (512×320 for 16:9: about 0.65 of the work, scores a little different;
         * docs/inference.md); `camera` (the default): a camera's frames at their aspect, photos square.
         */
        input: z.enum(['square', 'frame', 'camera']).default('camera'),
        /**
         * Trained classes take a second look at each candidate (its crop through the head's
         * verifier, where the head has one; docs/weapons.md): fewer false weapons for a few ms a
         * candidate. Off: the detector's scores alone.
         */
        verify: z.boolean().default(true),
      })
      .strict()
      .default({ min_score: 0.3, use_default: true, heads: [], input: 'camera', verify: true }),
    faces: z
      .object({
        /** 0.65: drops a 0.61 false face on a fixture photo, keeps small real ones (0.67+). */
        min_score: z.number().min(0).max(1).default(0.65),
        /** Also look in an n × n grid of tiles for small, distant faces (1 = whole frame only). */
        tiles: z.number().int().min(1).max(4).default(2),
        embedder: z.enum(['faceres', 'mobilefacenet']).default('faceres'),
      })
      .strict()
      .default({ min_score: 0.65, tiles: 2, embedder: 'faceres' }),
    pose: z
      .object({
        model: z.enum(['blazepose', 'movenet']).default('blazepose'),
        /**
         * Default per model, as their scores differ: BlazePose's person and pose-flag scores 0.5;
         * MoveNet's mean keypoint score 0.2 (people on the fixtures 0.26–0.82, a landscape 0.06).
         */
        min_score: z.number().min(0).max(1).optional(),
        max_people: z.number().int().min(1).max(20).default(5),
      })
      .strict()
      .default({ model: 'blazepose', max_people: 5 }),
  })
  .strict();

export type RuntimeConfig = z.infer<typeof runtimeSchema>;
export type UserModelConfig = z.infer<typeof userModelSchema>;
export type ModelsConfig = z.infer<typeof modelsSchema>;

export function defaultModelsConfig(): ModelsConfig {
  return modelsSchema.parse({});
}
