import { similarityTransform, warpToTensor, type Affine, type Point } from '../vision/affine.js';
import type { RgbImage } from '../vision/image.js';
import type { FaceDetection, FaceEmbedder } from './detection.js';
import type { SessionPool } from './session-pool.js';
import { asFloat32, outputWithShape, type ModelInfo } from './tensor-data.js';

/**
 * ArcFace's 112×112 template for the right eye, left eye and nose tip (subject's right = image
 * left), plus the mid-point of its two mouth corners, since BlazeFace gives one mouth point.
 */
export const FACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [56.1396, 92.2848],
];

/** Cosine similarity from which two FaceRes embeddings are taken as one person (docs/inference.md: FPR ≈ 0.1 % on the fixtures). */
export const FACERES_MATCH_THRESHOLD = 0.56;

/** How a model wants its face: crop size, framing, pixel range. */
export interface EmbedderSpec {
  name: 'faceres' | 'mobilefacenet';
  size: number;
  /** Template scale about the crop centre: 1 is ArcFace's framing, below 1 shows more of the head. */
  zoom: number;
  /** value = pixel · scale + offset */
  scale: number;
  offset: number;
  /** Feed channels as BGR (models trained on OpenCV-decoded images). */
  bgr?: boolean;
  dimensions: number;
}

/**
 * Framings and pixel ranges chosen by measurement (test/bench/face-embedder-roc.ts, docs/inference.md).
 * FaceRes (BGR, as its OpenCV-trained weights expect) wins: AUC 0.99 against 0.50–0.56 for
 * MobileFaceNet, so it is the default.
 */
export const EMBEDDERS: Record<EmbedderSpec['name'], EmbedderSpec> = {
  faceres: { name: 'faceres', size: 224, zoom: 1, scale: 1, offset: 0, bgr: true, dimensions: 1024 },
  mobilefacenet: { name: 'mobilefacenet', size: 112, zoom: 1, scale: 1 / 128, offset: -127.5 / 128, dimensions: 192 },
};

/** The similarity transform that puts a face's eyes, nose and mouth onto the template in a size × size crop. */
export function alignmentTransform(landmarks: readonly Point[], size: number, zoom = 1): Affine {
  if (landmarks.length < 4) throw new Error('face alignment needs eye, nose and mouth landmarks');
  const k = size / 112;
  const dst = FACE_TEMPLATE_112.map(([x, y]): Point => [((x - 56) * zoom + 56) * k, ((y - 56) * zoom + 56) * k]);
  return similarityTransform(landmarks.slice(0, 4), dst);
}

export function l2Normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  const norm = Math.sqrt(sum);
  const out = new Float32Array(v.length);
  if (norm > 0) for (let i = 0; i < v.length; i++) out[i] = v[i] / norm;
  return out;
}

/** Cosine similarity; for L2-normalised vectors this is their dot product. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/** Aligns a detected face onto the model's template and returns its L2-normalised embedding. */
export class OnnxFaceEmbedder implements FaceEmbedder {
  readonly name: string;
  readonly dimensions: number;

  constructor(
    private readonly pool: SessionPool,
    private readonly info: ModelInfo,
    private readonly spec: EmbedderSpec,
  ) {
    this.name = spec.name;
    this.dimensions = spec.dimensions;
  }

  async embed(img: RgbImage, face: FaceDetection): Promise<Float32Array> {
    const { size, zoom, scale, offset, bgr, dimensions } = this.spec;
    const data = warpToTensor(img, alignmentTransform(face.landmarks, size, zoom), size, size, { scale, offset, bgr }, 0, this.pool.float32(size * size * 3));
    const out = await this.pool.run(this.name, { [this.info.inputs[0].name]: { type: 'float32', dims: [1, size, size, 3], data } });
    return l2Normalize(asFloat32(outputWithShape(out, (d) => d[d.length - 1] === dimensions, `[1, ${dimensions}] embedding`)));
  }
}
