import sharp from 'sharp';
import type { ProctorSample, ProctorSampleStore, SampleLabel, SavedClassifier } from '../../store/proctor-samples.js';
import type { RgbImage } from '../../vision/image.js';
import { cropImage } from '../crop.js';
import { CANDIDATE_KS, chooseK, type CrossValidation } from './knn.js';
import type { Classifier } from './observe.js';
import type { ProctorConfig } from './config.js';
import { joinPose } from './features.js';
import type { Seat } from './seats.js';

type FeatureMode = ProctorConfig['features'];

/** What the hub needs of a live proctor on one camera: its seats at a frame size, and the features of a seat against its background. */
export interface LiveProctor {
  seatsFor(width: number, height: number): Seat[];
  features(img: RgbImage, seat: Seat): Float32Array | null;
  /** Whether the seat was seen empty: with one, no silhouette means nobody is in it. */
  hasBackground?(img: RgbImage, seat: Seat): boolean;
  pose(img: RgbImage, seat: Seat): Promise<Float32Array | null>;
  /** `analyzers.proctor.features`: what the classifier is trained on. */
  readonly featureMode: FeatureMode;
}

const STATUS = { not_running: 409, no_frame: 503, seat_not_found: 404, no_background: 409, too_few_samples: 409, never_suspicious: 409 } as const;

/** Why a capture or a training was refused; it carries its HTTP status so the API's error handler answers `{error, code}`. */
export class TrainingError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: keyof typeof STATUS,
    message: string,
  ) {
    super(message);
    this.statusCode = STATUS[code];
  }
}

export interface TrainingReport {
  camera: string;
  /** What each vector held: the 18 ratios, or those joined by the pose vector. */
  features: FeatureMode;
  /** The chosen k: the best accuracy, the smaller k on a tie. */
  k: number;
  samples: number;
  counts: Record<SampleLabel, number>;
  folds: number;
  accuracy: number;
  labels: string[];
  confusion: number[][];
  /**
   * Of each label's samples, the share cross-validation got right at the chosen k. In an exam room
   * most samples are normal, so accuracy alone reads high for a classifier that never says
   * suspicious; training refuses one whose suspicious recall is 0.
   */
  recall: Record<string, number>;
  /** One entry per k tried (odd 3…25, none larger than a training fold). */
  per_k: Array<Pick<CrossValidation, 'k' | 'accuracy' | 'foldAccuracies' | 'confusion'>>;
}

/** k-fold cross-validation needs a sample in every fold, and a k-NN needs both labels to say anything. */
const FOLDS = 10;
/** Of each label: with one, the k ≥ 3 nearest could never vote for it. */
const MIN_PER_LABEL = 2;

/**
 * The reference method's training page as a service: samples are captured from a live seat
 * (the camera's newest frame against that seat's background, both held by the running
 * analyzer), labelled, and trained into a classifier per camera that the live `suspicious`
 * cue votes with. Classifiers are read from SQLite once and cached; training replaces both.
 */
export class ProctorTraining {
  private readonly live = new Map<string, LiveProctor>();
  private readonly cache = new Map<string, Classifier | null>();

  constructor(
    readonly store: ProctorSampleStore,
    /** The camera's newest decoded frame (detect size), if it has one. */
    private readonly latestFrame: (camera: string) => (RgbImage & { time: number }) | undefined,
  ) {}

  /** Called by the analyzer when it is built on a camera, so captures can reach its backgrounds. */
  attach(camera: string, proctor: LiveProctor): void {
    this.live.set(camera, proctor);
  }

  /** The live classifier of a camera (the analyzer's hook asks on every occupied seat, so it is cached). */
  classifier(camera: string): Classifier | null {
    if (!this.cache.has(camera)) {
      const saved = this.store.classifier(camera);
      this.cache.set(camera, saved ? { k: saved.k, samples: saved.samples } : null);
    }
    return this.cache.get(camera) ?? null;
  }

  /** The camera's `analyzers.proctor.features` (ratios alone where its analyzer is not built). */
  featureMode(camera: string): FeatureMode {
    return this.live.get(camera)?.featureMode ?? 'ratios';
  }

  /** Drops the cached classifiers (an import replaced them). */
  reload(): void {
    this.cache.clear();
  }

  async capture(camera: string, seatName: string | undefined, label: SampleLabel | null): Promise<ProctorSample> {
    const proctor = this.live.get(camera);
    if (!proctor) throw new TrainingError('not_running', `the proctor is not running on camera "${camera}"`);
    const frame = this.latestFrame(camera);
    if (!frame) throw new TrainingError('no_frame', `camera "${camera}" has no frame yet`);
    const seats = proctor.seatsFor(frame.width, frame.height);
    const seat = seatName === undefined && seats.length === 1 ? seats[0] : seats.find((s) => s.name === seatName);
    if (!seat) {
      const which = seatName === undefined ? `has ${seats.length} seats: say which one (seat)` : `has no seat "${seatName}"`;
      throw new TrainingError('seat_not_found', `camera "${camera}" ${which} (seats: ${seats.map((s) => s.name).join(', ')})`);
    }
    const features = proctor.features(frame, seat);
    if (!features) throw new TrainingError('no_background', whyNoSilhouette(proctor, frame, seat));
    const crop = await cropJpeg(frame, seat);
    const pose = await proctor.pose(frame, seat);
    return this.store.add({ camera, seat: seat.name, time: frame.time, features: [...features], pose: pose ? [...pose] : null, label }, crop);
  }

  /** Captures every seat of the camera now; a seat that cannot be captured (empty, no background yet) is listed with its reason. */
  async captureAll(camera: string): Promise<{ samples: ProctorSample[]; refused: Array<{ seat: string; code: string; error: string }> }> {
    const proctor = this.live.get(camera);
    const frame = this.latestFrame(camera);
    // Right after start-up the proctor exists only once it has analysed a frame: a passing state,
    // refused like an empty seat (the page says why and the proctor presses again), not an error.
    if (!proctor || !frame) {
      return { samples: [], refused: [{ seat: 'every seat', code: 'not_started', error: `the proctor has not analysed a frame of camera "${camera}" yet` }] };
    }
    const samples: ProctorSample[] = [];
    const refused: Array<{ seat: string; code: string; error: string }> = [];
    for (const seat of proctor.seatsFor(frame.width, frame.height)) {
      const features = proctor.features(frame, seat);
      if (!features) refused.push({ seat: seat.name, code: 'no_background', error: whyNoSilhouette(proctor, frame, seat) });
      else {
        const pose = await proctor.pose(frame, seat);
        const sample = { camera, seat: seat.name, time: frame.time, features: [...features], pose: pose ? [...pose] : null, label: null };
        samples.push(this.store.add(sample, await cropJpeg(frame, seat)));
      }
    }
    return { samples, refused };
  }

  /** Cross-validates the camera's labelled samples for each k (odd 3…25) without saving anything: the figures for the labels so far. */
  evaluate(camera: string): TrainingReport {
    const labelled = this.store.list({ camera }).filter((s): s is ProctorSample & { label: SampleLabel } => s.label !== null);
    const counts = { normal: labelled.filter((s) => s.label === 'normal').length, suspicious: labelled.filter((s) => s.label === 'suspicious').length };
    if (labelled.length < FOLDS || counts.normal < MIN_PER_LABEL || counts.suspicious < MIN_PER_LABEL) {
      throw new TrainingError(
        'too_few_samples',
        `training needs at least ${FOLDS} labelled samples in all, with at least ${MIN_PER_LABEL} of each label; camera "${camera}" has ${counts.normal} normal and ${counts.suspicious} suspicious`,
      );
    }
    const mode = this.featureMode(camera);
    const samples = labelled.map((s) => ({ features: vector(s, mode), label: s.label }));
    const { best, results } = chooseK(samples, CANDIDATE_KS, FOLDS);
    return {
      camera,
      features: mode,
      k: best.k,
      samples: samples.length,
      counts,
      folds: FOLDS,
      accuracy: best.accuracy,
      labels: best.labels,
      confusion: best.confusion,
      recall: Object.fromEntries(
        best.labels.map((l, i) => [
          l,
          best.confusion[i][i] /
            Math.max(
              1,
              best.confusion[i].reduce((a, b) => a + b, 0),
            ),
        ]),
      ),
      per_k: results.map(({ k, accuracy, foldAccuracies, confusion }) => ({ k, accuracy, foldAccuracies, confusion })),
    };
  }

  /** Cross-validates as `evaluate` does, then saves the best k with the labelled samples as the camera's live classifier. */
  train(camera: string, now = Date.now()): TrainingReport {
    const report = this.evaluate(camera);
    if ((report.recall.suspicious ?? 0) === 0) {
      throw new TrainingError(
        'never_suspicious',
        `cross-validation never found one of the ${report.counts.suspicious} suspicious samples (accuracy ${(report.accuracy * 100).toFixed(1)} % is the normal ones): label more suspicious samples before saving; the live cue goes on without a classifier`,
      );
    }
    const samples = this.store.list({ camera }).flatMap((s) => (s.label === null ? [] : [{ features: vector(s, report.features), label: s.label }]));
    const saved: SavedClassifier = { camera, k: report.k, trained_at: now, samples, report };
    this.store.saveClassifier(saved);
    this.cache.set(camera, { k: saved.k, samples });
    return report;
  }
}

/** Why a seat gave no silhouette: the two causes want opposite things of the proctor. */
function whyNoSilhouette(proctor: LiveProctor, frame: RgbImage, seat: Seat): string {
  if (proctor.hasBackground && !proctor.hasBackground(frame, seat)) {
    return `seat ${seat.name}: not seen empty yet; empty it for a moment (the empty seat is what a silhouette is cut from), then capture again`;
  }
  return `seat ${seat.name}: nobody in it now`;
}

/** A sample's vector for the classifier: the ratios, joined by its pose vector in `ratios_pose` mode. */
function vector(s: ProctorSample, mode: FeatureMode): number[] {
  return mode === 'ratios_pose' ? joinPose(s.features, s.pose ?? null) : s.features;
}

/** The seat as the proctor sees it, to label by eye. */
function cropJpeg(frame: RgbImage, seat: Seat): Promise<Buffer> {
  const { image } = cropImage(frame, seat.box);
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: 80 })
    .toBuffer();
}
