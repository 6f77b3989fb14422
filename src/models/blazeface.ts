import { applyAffine, boxToRect, invertAffine, warpToTensor, type Point } from '../vision/affine.js';
import type { RgbImage } from '../vision/image.js';
import { clipBox, iou, type Box } from '../vision/iou.js';
import { nms } from '../vision/nms.js';
import { plausibleFaceShape } from '../vision/face-shape.js';
import { containment, suppressOverlaps, type SameThing } from '../vision/overlap.js';
import { letterboxTensor } from '../vision/resize.js';
import type { FaceDetection, FaceDetector, FaceSearch } from './detection.js';
import type { SessionPool } from './session-pool.js';
import { asFloat32, outputWithShape, type ModelInfo } from './tensor-data.js';

const SIZE = 256;
/** The model's input range: −1…1. */
const PIXELS = { scale: 1 / 127.5, offset: -1 };
const KEYPOINTS = 6;
/** A face narrower than this in the whole-frame input is at the edge of the detector's reach. */
const SMALL_FACE = 16;
/** At or above this score a face needs no second look (every face on the fixture photos that the whole frame scores so high is real and well placed). */
const SURE = 0.85;
/**
 * The second look's square: five face sizes (the face about 50 px of the 256² input), never under
 * 256 source pixels: magnified past its own pixels, a small real face blurs into a non-face.
 */
const SECOND_LOOK = 5;
/** The second look confirms a face already found, so it asks less of it than a first finding. */
const SECOND_LOOK_MIN_SCORE = 0.5;
/** An unsure face this close to one confirmed on the previous frame is that face (FaceSearch.confirmed). */
const CONFIRMED_IOU = 0.5;
/** Passes of one frame find one face as two boxes, a tight one inside a loose one: one face. */
const SAME_FACE: SameThing = { iou: 0.3, containment: 0.6 };
const sameFace = (a: Box, b: Box) => iou(a, b) > SAME_FACE.iou || containment(a, b) > SAME_FACE.containment;
/** A faceless person's square: their box's longer side and a tenth more, as the faces analyzer's person crops were. */
const PERSON_MARGIN = 1.1;

/** Anchor centres in input pixels: 16×16 cells × 2 (stride 16), then 8×8 cells × 6 (stride 32). */
export function blazeFaceAnchors(size = SIZE): Point[] {
  const anchors: Point[] = [];
  for (const [stride, perCell] of [
    [16, 2],
    [32, 6],
  ] as const) {
    const cells = Math.ceil(size / stride);
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let k = 0; k < perCell; k++) anchors.push([(x + 0.5) * stride, (y + 0.5) * stride]);
  }
  return anchors;
}

export interface BlazeFaceDecodeOptions {
  minScore: number;
  iouThreshold: number;
  maxFaces?: number;
}

export interface RawFace {
  box: Box;
  score: number;
  landmarks: Point[];
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-Math.max(-100, Math.min(100, x))));

/**
 * Decodes BlazeFace: per anchor a score logit and 16 regressions (centre offset, size, then
 * six landmark offsets), all in input pixels relative to the anchor centre. Output in input pixels.
 */
export function decodeBlazeFace(logits: Float32Array, regressions: Float32Array, anchors: readonly Point[], opts: BlazeFaceDecodeOptions): RawFace[] {
  const found: RawFace[] = [];
  for (let i = 0; i < anchors.length; i++) {
    const score = sigmoid(logits[i]);
    if (score < opts.minScore) continue;
    const r = i * 16;
    const [ax, ay] = anchors[i];
    const cx = ax + regressions[r];
    const cy = ay + regressions[r + 1];
    const w = regressions[r + 2];
    const h = regressions[r + 3];
    const landmarks: Point[] = [];
    for (let k = 0; k < KEYPOINTS; k++) landmarks.push([ax + regressions[r + 4 + 2 * k], ay + regressions[r + 5 + 2 * k]]);
    found.push({ box: [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], score, landmarks });
  }
  const keep = nms(
    found.map((f) => f.box),
    found.map((f) => f.score),
    { iouThreshold: opts.iouThreshold, maxDetections: opts.maxFaces },
  );
  return keep.map((i) => found[i]);
}

/** MediaPipe's full-range ("back camera") face detector: small and distant faces. */
export class BlazeFaceDetector implements FaceDetector {
  readonly name = 'blazeface-back';
  private readonly anchors = blazeFaceAnchors();

  constructor(
    private readonly pool: SessionPool,
    private readonly info: ModelInfo,
    private readonly minScore: number,
    private readonly iouThreshold = 0.3,
    private readonly tiles = 1,
  ) {}

  /**
   * With `tiles` n > 1, also looks in an n × n grid of overlapping squares: a 256² input leaves
   * distant faces in a wide frame only a few pixels across, and each tile gives them n× more.
   * With `people`, only the tiles where the whole-frame pass left a person without a face or saw
   * a face barely (tilesToSearch).
   */
  async detect(img: RgbImage, opts: FaceSearch = {}): Promise<FaceDetection[]> {
    const grid = opts.tiles === false ? [] : gridSquares(img.width, img.height, this.tiles);
    const lb = await letterboxTensor(img, SIZE, SIZE, 0, { layout: 'nhwc', ...PIXELS }, this.input());
    const whole = this.detectIn(lb.data, (p) => [(p[0] - lb.padX) / lb.scale, (p[1] - lb.padY) / lb.scale]);
    let tiles = grid;
    let crops: Box[] = [];
    if (opts.people !== undefined) {
      const [faces, people] = await Promise.all([whole, opts.people]);
      if (grid.length > 0) tiles = tilesToSearch(grid, people, faces, SMALL_FACE / lb.scale);
      // A person the whole frame found no face for is looked at on their own, as closely as their box allows:
      // on the Hamilton clip's audience the tiles (a 400 px square of a 640×360 frame) miss faces a person's crop shows.
      crops = facelessPeople(people, faces).map((p) => squareAround(p, PERSON_MARGIN));
    }
    // Every pass is queued at once: the worker runs one while this thread warps the next tile.
    const passes = [whole, ...tiles.map((tile) => this.detectInTile(img, tile)), ...crops.map((crop) => this.detectInSquare(img, crop))];
    const found = (await Promise.all(passes)).flat();
    const checked = opts.check === false ? found : await this.checked(img, found, opts.confirmed ?? []);
    const keep = suppressOverlaps(
      checked.map((f) => f.box),
      checked.map((f) => f.score),
      SAME_FACE,
    );
    return keep.map((k) => ({ ...checked[k], box: clipBox(checked[k].box, img.width, img.height) }));
  }

  /**
   * Faces whose landmarks are in a face's places, each below SURE looked at again in a square
   * around it: a real face is found again there, where it really is (a whole-frame box half off
   * its face comes back on it, and then merges with the tile's box of the same face); a pistol's
   * trigger guard or a fist is not (docs/faces.md, *One box per face*).
   */
  private async checked(img: RgbImage, found: FaceDetection[], confirmed: readonly Box[]): Promise<FaceDetection[]> {
    const shaped = found.filter((f) => plausibleFaceShape(f.box, f.landmarks));
    const sure = shaped.filter((f) => f.score >= SURE);
    // an unsure box on a face another pass is sure of would only merge into it
    const unsure = shaped.filter((f) => f.score < SURE && !sure.some((s) => sameFace(s.box, f.box)));
    const known = (f: FaceDetection) => confirmed.some((b) => iou(b, f.box) >= CONFIRMED_IOU);
    const again = await Promise.all([...sure, ...unsure.filter(known), ...unsure.filter((f) => !known(f)).map((f) => this.secondLook(img, f))]);
    return again.filter((f): f is FaceDetection => f !== null && plausibleFaceShape(f.box, f.landmarks));
  }

  /** The face found again in a square around `face` (the surest whose centre lies in its box), or null. */
  private async secondLook(img: RgbImage, face: FaceDetection): Promise<FaceDetection | null> {
    const [x1, y1, x2, y2] = face.box;
    const half = Math.max(SECOND_LOOK * Math.max(x2 - x1, y2 - y1), SIZE) / 2;
    const [cx, cy] = [(x1 + x2) / 2, (y1 + y2) / 2];
    const toSquare = boxToRect([cx - half, cy - half, cx + half, cy + half], SIZE, SIZE);
    const back = invertAffine(toSquare);
    const seen = await this.detectIn(warpToTensor(img, toSquare, SIZE, SIZE, PIXELS, 0, this.input()), (p) => applyAffine(back, p), Math.min(this.minScore, SECOND_LOOK_MIN_SCORE));
    const centreIn = ({ box: b }: FaceDetection) => (b[0] + b[2]) / 2 >= x1 && (b[0] + b[2]) / 2 <= x2 && (b[1] + b[3]) / 2 >= y1 && (b[1] + b[3]) / 2 <= y2;
    return seen.filter(centreIn).sort((a, b) => b.score - a.score)[0] ?? null;
  }

  /** Faces anywhere in a square of the frame (parts outside it read as black). */
  private detectInSquare(img: RgbImage, square: Box): Promise<FaceDetection[]> {
    const toSquare = boxToRect(square, SIZE, SIZE);
    const back = invertAffine(toSquare);
    return this.detectIn(warpToTensor(img, toSquare, SIZE, SIZE, PIXELS, 0, this.input()), (p) => applyAffine(back, p));
  }

  private detectInTile(img: RgbImage, tile: Box): Promise<FaceDetection[]> {
    const toTile = boxToRect(tile, SIZE, SIZE);
    const back = invertAffine(toTile);
    // Tiles are for small faces: a large one is the whole-frame pass's (tiles see façades as faces),
    // and one cut by the tile's edge is half a face that the frame or a neighbouring tile has whole.
    const side = tile[2] - tile[0];
    const margin = side * 0.02;
    const small = ({ box: b }: FaceDetection) => b[2] - b[0] < side / 4 && b[0] > tile[0] + margin && b[1] > tile[1] + margin && b[2] < tile[2] - margin && b[3] < tile[3] - margin;
    return this.detectIn(warpToTensor(img, toTile, SIZE, SIZE, PIXELS, 0, this.input()), (p) => applyAffine(back, p)).then((found) => found.filter(small));
  }

  /** `data`: a SIZE × SIZE NHWC input in PIXELS' range. */
  /** An input body for one pass, recycled from an earlier run (SessionPool.float32). */
  private input(): Float32Array {
    return this.pool.float32(SIZE * SIZE * 3);
  }

  private async detectIn(data: Float32Array, toSource: (p: Point) => Point, minScore = this.minScore): Promise<FaceDetection[]> {
    const out = await this.pool.run(this.name, { [this.info.inputs[0].name]: { type: 'float32', dims: [1, SIZE, SIZE, 3], data } });
    const pick = (n: number, c: number) => asFloat32(outputWithShape(out, (d) => d[1] === n && d[2] === c, `[1, ${n}, ${c}]`));
    // 512 stride-16 anchors first, then the 384 stride-32 ones, as in blazeFaceAnchors()
    const logits = concat(pick(512, 1), pick(384, 1));
    const regressions = concat(pick(512, 16), pick(384, 16));
    const faces = decodeBlazeFace(logits, regressions, this.anchors, { minScore, iouThreshold: this.iouThreshold });
    return faces.map((f) => {
      const [x1, y1] = toSource([f.box[0], f.box[1]]);
      const [x2, y2] = toSource([f.box[2], f.box[3]]);
      return { score: f.score, box: [x1, y1, x2, y2], landmarks: f.landmarks.map(toSource) };
    });
  }
}

/**
 * n × n squares covering a width × height frame, each a quarter larger than its cell so faces on
 * a seam are whole in one. Where the short side is at most a tenth longer than a square (a 3:2
 * photo at n = 2), the squares grow to it: one row instead of two that would overlap by 90 % or
 * more, half the passes for at most a tenth less resolution (the fixture photos: same faces).
 */
export function gridSquares(width: number, height: number, n: number): Box[] {
  if (n <= 1) return [];
  const short = Math.min(width, height);
  let side = (Math.max(width, height) / n) * 1.25;
  if (short > side && short <= side * 1.1) side = short;
  const squares: Box[] = [];
  // neighbours overlap by at least a fifth of a square
  const count = (length: number) => (length <= side ? 1 : Math.ceil((length - side) / (0.8 * side) - 1e-9) + 1);
  const cols = count(width);
  const rows = count(height);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x = cols === 1 ? (width - side) / 2 : (c * (width - side)) / (cols - 1);
      const y = rows === 1 ? (height - side) / 2 : (r * (height - side)) / (rows - 1);
      squares.push([x, y, x + side, y + side]);
    }
  }
  return squares;
}

/**
 * The tiles worth searching once the whole-frame pass is in: those that hold the head (the top
 * square of the box) of a person it found no face for, or a face it barely saw, narrower than
 * `smallFace` source pixels: small faces come in crowds and distant scenes, where others nearby
 * fall below its reach (`group-1.jpg`: 8 of its 14 faces from the whole frame, at 10–16 px of the 256² input, all 14 with tiles).
 * With no person found and no face barely seen, none: most motion on a camera has nobody in it
 * (wind, light, cars), and searching every tile there cost two runs a frame for no face on the
 * fixtures or the clip (docs/faces.md).
 */
export function tilesToSearch(tiles: readonly Box[], people: readonly Box[], faces: readonly FaceDetection[], smallFace: number): Box[] {
  const faceless = facelessPeople(people, faces);
  const targets = [
    ...faceless.map((p): Box => [p[0], p[1], p[2], p[1] + Math.min(p[2] - p[0], p[3] - p[1])]),
    ...faces.filter(({ box: f }) => f[2] - f[0] < smallFace).map(({ box: f }) => centre(f)),
  ];
  return tiles.filter((t) => targets.some((b) => overlaps(t, b)));
}

const centre = (b: Box): Box => [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, (b[0] + b[2]) / 2, (b[1] + b[3]) / 2];

/** The people no face's centre lies in. */
export function facelessPeople(people: readonly Box[], faces: readonly FaceDetection[]): Box[] {
  return people.filter((p) => !faces.some(({ box: f }) => overlaps(p, centre(f))));
}

/** The square on a box's longer side, `margin` times it, about the box's centre. */
export function squareAround(b: Box, margin: number): Box {
  const half = (margin * Math.max(b[2] - b[0], b[3] - b[1])) / 2;
  const [cx, cy] = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
  return [cx - half, cy - half, cx + half, cy + half];
}

/** Whether two boxes share any point (a degenerate box is a point). */
function overlaps(a: Box, b: Box): boolean {
  return b[0] <= a[2] && b[2] >= a[0] && b[1] <= a[3] && b[3] >= a[1];
}

function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
