import type { Logger } from '../log.js';
import type { RgbImage } from '../vision/image.js';
import { clipBox, type Box } from '../vision/iou.js';
import { nms } from '../vision/nms.js';
import { letterboxTensor } from '../vision/resize.js';
import type { ObjectDetection, ObjectDetector } from './detection.js';
import type { UserModelConfig } from './model-config.js';
import type { SessionPool } from './session-pool.js';
import { asFloat32, type ModelInfo, type TensorData } from './tensor-data.js';

/**
 * YOLO-family user models, in the ONNX export layouts people actually have:
 * - yolov5: [1, N, 5+nc] rows of cx, cy, w, h, objectness, class scores (YOLOv5, v7)
 * - yolov8: [1, 4+nc, N] channels of cx, cy, w, h, class scores (YOLOv8, v9, v11); also its transpose
 * - nms:    [1, N, 6] rows of x1, y1, x2, y2, score, class (NMS in the graph: YOLOv10, end2end exports)
 * - nms7:   [N, 7] rows of batch, x1, y1, x2, y2, class, score (YOLOv7 --end2end for onnxruntime)
 */
export type YoloLayout = 'yolov5' | 'yolov8' | 'nms' | 'nms7';

/** Raw proposals that survive NMS never number in the thousands; raw heads always do. */
const MAX_NMS_ROWS = 1000;

export function detectYoloLayout(dims: readonly number[], numClasses: number): YoloLayout {
  const d = dims.length > 2 && dims[0] === 1 ? dims.slice(1) : [...dims];
  if (d.length !== 2) throw new Error(`YOLO output shape [${dims.join(', ')}] is not one of the known layouts`);
  const [a, b] = d;
  if ((b === 6 || b === 7) && a <= MAX_NMS_ROWS && !(a === 4 + numClasses && b > a)) return b === 7 ? 'nms7' : 'nms';
  if (a === 4 + numClasses && b !== 5 + numClasses) return 'yolov8';
  if (b === 4 + numClasses) return 'yolov8';
  if (b === 5 + numClasses) return 'yolov5';
  if (a < b) return 'yolov8';
  return 'yolov5';
}

export interface YoloDecodeOptions {
  layout: YoloLayout;
  numClasses: number;
  minScore: number;
  iouThreshold: number;
  /** Model input size, to scale normalised (0–1) coordinates. */
  inputWidth: number;
  inputHeight: number;
  maxDetections?: number;
}

export interface RawDetection {
  box: Box;
  score: number;
  classId: number;
}

/** Decodes one YOLO output tensor into boxes in model-input pixels, with NMS where the graph has none. */
// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one hot loop over the anchors for every YOLO export layout; split, it would copy the tensor or call per anchor
export function decodeYolo(out: TensorData, opts: YoloDecodeOptions): RawDetection[] {
  const data = asFloat32(out);
  const dims = out.dims.length > 2 && out.dims[0] === 1 ? out.dims.slice(1) : out.dims;
  const [a, b] = dims;
  const nc = opts.numClasses;
  const found: RawDetection[] = [];
  const push = (x1: number, y1: number, x2: number, y2: number, score: number, classId: number) => {
    if (score >= opts.minScore) found.push({ box: [x1, y1, x2, y2], score, classId });
  };
  const fromCentre = (cx: number, cy: number, w: number, h: number, score: number, classId: number) => push(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score, classId);

  if (opts.layout === 'nms') {
    for (let i = 0; i < a; i++) {
      const r = i * b;
      push(data[r], data[r + 1], data[r + 2], data[r + 3], data[r + 4], Math.round(data[r + 5]));
    }
  } else if (opts.layout === 'nms7') {
    for (let i = 0; i < a; i++) {
      const r = i * b;
      if (Math.round(data[r]) !== 0) continue; // batch index: we feed one image
      push(data[r + 1], data[r + 2], data[r + 3], data[r + 4], data[r + 6], Math.round(data[r + 5]));
    }
  } else if (opts.layout === 'yolov5') {
    const classes = b - 5;
    for (let i = 0; i < a; i++) {
      const r = i * b;
      const obj = data[r + 4];
      if (obj < opts.minScore) continue;
      let best = 0;
      for (let c = 1; c < classes; c++) if (data[r + 5 + c] > data[r + 5 + best]) best = c;
      fromCentre(data[r], data[r + 1], data[r + 2], data[r + 3], obj * data[r + 5 + best], best);
    }
  } else {
    // yolov8: channels-first [4+nc, N] as exported; rows [N, 4+nc] when someone transposed it
    const channelsFirst = a === 4 + nc || (b !== 4 + nc && a < b);
    const n = channelsFirst ? b : a;
    const classes = (channelsFirst ? a : b) - 4;
    const at = channelsFirst ? (i: number, c: number) => data[c * n + i] : (i: number, c: number) => data[i * (classes + 4) + c];
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestScore = at(i, 4);
      for (let c = 1; c < classes; c++) {
        const s = at(i, 4 + c);
        if (s > bestScore) {
          bestScore = s;
          best = c;
        }
      }
      if (bestScore >= opts.minScore) fromCentre(at(i, 0), at(i, 1), at(i, 2), at(i, 3), bestScore, best);
    }
  }

  // Some exports emit 0–1 coordinates; everything downstream wants input pixels.
  if (found.length > 0 && found.every((d) => d.box.every((v) => v <= 1.5))) {
    for (const d of found) {
      d.box = [d.box[0] * opts.inputWidth, d.box[1] * opts.inputHeight, d.box[2] * opts.inputWidth, d.box[3] * opts.inputHeight];
    }
  }
  const max = opts.maxDetections ?? 100;
  if (opts.layout === 'nms' || opts.layout === 'nms7') return found.sort((x, y) => y.score - x.score).slice(0, max);
  const keep = nms(
    found.map((d) => d.box),
    found.map((d) => d.score),
    { iouThreshold: opts.iouThreshold, maxDetections: max, classes: found.map((d) => d.classId) },
  );
  return keep.map((i) => found[i]);
}

/** A user's YOLO ONNX model (e.g. a pistol/rifle detector) behind the ObjectDetector interface. */
export class YoloDetector implements ObjectDetector {
  readonly name: string;
  private readonly width: number;
  private readonly height: number;
  private layout: YoloLayout | undefined;

  constructor(
    private readonly pool: SessionPool,
    private readonly info: ModelInfo,
    private readonly config: UserModelConfig,
    readonly labels: string[],
    private readonly logger: Logger,
  ) {
    this.name = info.name;
    const shape = info.inputs[0].shape;
    const nchw = config.input_tensor === 'nchw';
    const h = shape[nchw ? 2 : 1];
    const w = shape[nchw ? 3 : 2];
    // A static input shape in the model wins over the config: it cannot be fed anything else.
    this.height = h > 0 ? h : config.height;
    this.width = w > 0 ? w : config.width;
    if (config.layout !== 'auto') this.layout = config.layout;
  }

  static async create(pool: SessionPool, config: UserModelConfig, labels: string[], logger: Logger, name = 'user-yolo'): Promise<YoloDetector> {
    const info = await pool.load(name, config.path);
    return new YoloDetector(pool, info, config, labels, logger);
  }

  async detect(img: RgbImage): Promise<ObjectDetection[]> {
    const layout = this.config.input_tensor;
    const lb = await letterboxTensor(
      img,
      this.width,
      this.height,
      114,
      {
        layout,
        scale: this.config.input_dtype === 'float' ? 1 / 255 : 1,
        bgr: this.config.input_pixel_format === 'bgr',
      },
      this.pool.float32(this.width * this.height * 3),
    );
    const input = lb.data;
    const dims = layout === 'nchw' ? [1, 3, this.height, this.width] : [1, this.height, this.width, 3];
    const outputs = await this.pool.run(this.name, { [this.info.inputs[0].name]: { type: 'float32', dims, data: input } });
    const out = outputs[this.info.outputs[0].name];
    if (!this.layout) {
      this.layout = detectYoloLayout(out.dims, this.labels.length);
      this.logger.info({ model: this.name, shape: out.dims, layout: this.layout }, 'YOLO output layout detected');
    }
    const raw = decodeYolo(out, {
      layout: this.layout,
      numClasses: this.labels.length,
      minScore: this.config.min_score,
      iouThreshold: this.config.nms_iou,
      inputWidth: this.width,
      inputHeight: this.height,
    });
    return raw.map((d) => ({
      label: this.labels[d.classId] ?? `class_${d.classId}`,
      score: d.score,
      box: clipBox([(d.box[0] - lb.padX) / lb.scale, (d.box[1] - lb.padY) / lb.scale, (d.box[2] - lb.padX) / lb.scale, (d.box[3] - lb.padY) / lb.scale], img.width, img.height),
    }));
  }
}
