import { boxToRect, warpAffine } from '../vision/affine.js';
import type { RgbImage } from '../vision/image.js';
import { clipBox, type Box } from '../vision/iou.js';
import type { Keypoint, PoseDetection, PoseDetector } from './detection.js';
import { keypointBox, squareAround } from './blazepose.js';
import { MOVENET_KEYPOINTS } from './pose-keypoints.js';
import type { SessionPool } from './session-pool.js';
import { asFloat32, outputWithShape, type ModelInfo } from './tensor-data.js';

const SIZE = 192;

/**
 * Decodes MoveNet's [1, 1, 17, 3] output (y, x, score, normalised to the padded square) into
 * source pixels. `square` is the padded square's side and `left`/`top` where it starts in the source.
 */
export function decodeMoveNet(out: Float32Array, square: number, left: number, top: number): Keypoint[] {
  return MOVENET_KEYPOINTS.map((name, i) => ({
    name,
    x: left + out[i * 3 + 1] * square,
    y: top + out[i * 3] * square,
    score: out[i * 3 + 2],
  }));
}

/** MoveNet Lightning: one person, 17 keypoints, fast. */
export class MoveNetDetector implements PoseDetector {
  readonly name = 'movenet-lightning';

  constructor(
    private readonly pool: SessionPool,
    private readonly info: ModelInfo,
    private readonly minScore: number,
    private readonly maxPeople = 5,
  ) {}

  /** MoveNet sees one body: one run per person box when there are some, else the whole frame. */
  async detect(img: RgbImage, people: readonly Box[] = []): Promise<PoseDetection[]> {
    const regions = people.length > 0 ? people.slice(0, this.maxPeople).map((b) => squareAround(b, 1.2)) : [squareAround([0, 0, img.width, img.height], 1)];
    const poses: PoseDetection[] = [];
    for (const [left, top, right] of regions) {
      const square = right - left;
      const crop = warpAffine(img, boxToRect([left, top, left + square, top + square], SIZE, SIZE), SIZE, SIZE);
      const out = await this.pool.run(this.name, { [this.info.inputs[0].name]: { type: 'int32', dims: [1, SIZE, SIZE, 3], data: Int32Array.from(crop.data) } });
      const keypoints = decodeMoveNet(asFloat32(outputWithShape(out, (d) => d[d.length - 2] === 17, '[1, 1, 17, 3] keypoints')), square, left, top);
      const score = keypoints.reduce((s, k) => s + k.score, 0) / keypoints.length;
      if (score >= this.minScore) poses.push({ score, box: clipBox(keypointBox(keypoints, 0.3), img.width, img.height), keypoints });
    }
    return poses;
  }
}
