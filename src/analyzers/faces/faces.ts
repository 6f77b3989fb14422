import sharp from 'sharp';
import type { FaceDetection } from '../../models/detection.js';
import type { Detector } from '../../models/detector.js';
import { cosineSimilarity } from '../../models/face-embedder.js';
import type { RgbImage } from '../../vision/image.js';
import type { Box } from '../../vision/iou.js';
import { nms } from '../../vision/nms.js';
import type { MatchFace } from '../analyzer.js';
import type { FacesConfig } from './config.js';
import { cropImage, growBox, shiftBox } from '../crop.js';
import type { Detection } from '../../events/analyzed-frame.js';
import { type FaceTrack, FaceTracks } from './face-tracks.js';
import { sharpness } from './sharpness.js';
import { yawOf } from './yaw.js';

export type FaceModels = Pick<Detector, 'detectFaces' | 'embedFace'>;

export type FaceStatus = 'ok' | 'too_small' | 'blurred' | 'turned';

export interface FoundFace {
  /** In frame pixels. */
  box: Box;
  score: number;
  sharpness: number;
  status: FaceStatus;
  /** The image the face was found in (a person crop or the frame) and the face in its pixels. */
  image: RgbImage;
  face: FaceDetection;
}

interface Visit {
  /** Unique on this camera: its detections carry it as their `identity`. */
  id: number;
  lastSeen: number;
  embedding: Float32Array;
}

/**
 * Faces on one camera: the frame's faces (or, standalone, those inside person boxes), filtered by size and sharpness, embedded, and matched against the registry. A person
 * seen again within `cooldown` seconds of their last sighting is the same visit; each sighting is
 * reported with `hold` = cooldown and the visit as its `identity`, which the events follow
 * wherever it is seen, so the visit is one event, open while they are about.
 */
export class FaceAnalyzer {
  /** Each recognised person's visit, by registry id (`#7`), or by name where the matcher gives no id. */
  private readonly known = new Map<string, Visit>();
  private unknown: Visit[] = [];
  private readonly tracks: FaceTracks;
  /** Each stranger's face track's visit, so a stranger followed from frame to frame stays one visit. */
  private readonly strangers = new WeakMap<FaceTrack, Visit>();
  private visits = 0;

  constructor(
    private readonly models: FaceModels,
    private readonly matchFace: MatchFace,
    private readonly config: FacesConfig,
  ) {
    this.tracks = new FaceTracks(config.confirm_frames, config.reembed_frames);
  }

  /**
   * Faces inside person boxes (or the whole frame when there are none), for a caller that has not
   * searched the frame itself; the frame analyzer hands `analyzeFound` the frame's faces instead.
   */
  async findFaces(img: RgbImage, persons: readonly Box[]): Promise<FoundFace[]> {
    const regions = persons.length > 0 ? persons.map((p) => growBox(p, 1.1, img.width, img.height)) : [[0, 0, img.width, img.height] as Box];
    const found: FoundFace[] = [];
    for (const region of regions) {
      const whole = region[0] === 0 && region[1] === 0 && region[2] === img.width && region[3] === img.height;
      const { image, left, top } = whole ? { image: img, left: 0, top: 0 } : cropImage(img, region);
      // Tiles are for small faces in a wide frame; in a person's crop the face is large enough for
      // the one pass (same faces on the Hamilton clip and every fixture photo, a third of the time).
      for (const f of this.rate(image, await this.models.detectFaces(image, { tiles: whole }))) found.push({ ...f, box: shiftBox(f.box, left, top) });
    }
    // overlapping person boxes find the same face twice
    const keep = nms(
      found.map((f) => f.box),
      found.map((f) => f.score),
      { iouThreshold: 0.3 },
    );
    return keep.map((i) => found[i]);
  }

  /** Faces found in `image` with their quality: too small, blurred, turned, or ok to embed. */
  rate(image: RgbImage, faces: readonly FaceDetection[]): FoundFace[] {
    return faces.map((face) => {
      const width = face.box[2] - face.box[0];
      const sharp = sharpness(image, face.box);
      const status: FaceStatus =
        width < this.config.min_face_px ? 'too_small' : sharp < this.config.min_sharpness ? 'blurred' : yawOf(face.landmarks) > this.config.max_yaw ? 'turned' : 'ok';
      return { box: face.box, score: face.score, sharpness: sharp, status, image, face };
    });
  }

  async analyze(img: RgbImage, persons: readonly Box[], time: number): Promise<Detection[]> {
    return this.analyzeFound(img, await this.findFaces(img, persons), time);
  }

  /** Embeds and names the faces that are ok: each a sighting of a visit (one event per visit, see the class comment). */
  async analyzeFound(img: RgbImage, found: readonly FoundFace[], time: number): Promise<Detection[]> {
    const out: Detection[] = [];
    // two faces in one frame are two people, however alike
    const claimed = new Set<Visit>();
    const claimedTracks = this.tracks.frame(time);
    const ok = found.filter((f) => f.status === 'ok');
    const tracks = ok.map((f) => this.tracks.claim(f.box, time, claimedTracks));
    const kept = ok.map((f, i) => this.tracks.kept(tracks[i], f.box, time));
    // The embedding each followed face had on the frame before, to tell it from someone else stepping into its place.
    const before = tracks.map((t) => (this.tracks.followed(t, time) ? t.embedding : undefined));
    // All embeddings queued at once: the worker runs one while this thread aligns the next face.
    const embeddings = ok.map((f, i) => kept[i] ?? this.models.embedFace(f.image, f.face));
    for (const e of embeddings) if (e instanceof Promise) e.catch(() => undefined); // a failure surfaces where it is awaited
    for (const [i, f] of ok.entries()) {
      const embedding = await embeddings[i];
      const match = this.matchFace(embedding);
      // who, as the registry's id (a person renamed while in view stays who they were), else their name
      const who = match ? (match.personId !== undefined ? `#${match.personId}` : match.name) : null;
      const held = this.tracks.see(tracks[i], f.box, who, time, embedding, kept[i] === undefined);
      // a name not yet confirmed by the next frames: neither named nor reported as a stranger yet
      if (held === undefined) continue;
      const recognised = held === null ? null : match;
      const previous = before[i];
      const sameFace = previous !== undefined && (kept[i] !== undefined || cosineSimilarity(previous, embedding) >= this.config.unknown_similarity);
      const seen = this.visit(held, embedding, time, claimed, tracks[i], sameFace);
      if (seen === null) continue;
      const detection: Detection = { kind: 'face', label: 'face', score: f.score, box: f.box, sub_label: recognised?.name ?? null, hold: this.config.cooldown };
      detection.identity = `visit:${seen.visit.id}`;
      // a stranger's face to name later is kept once a visit, from its first sighting
      detection.attributes = recognised
        ? { similarity: recognised.similarity }
        : seen.fresh
          ? { similarity: null, embedding, crop: await faceJpeg(img, f.box) }
          : { similarity: null };
      out.push(detection);
    }
    this.forget(time);
    return out;
  }

  /**
   * Records a sighting of the face on `track` (`who`: the person recognised, by registry id, or
   * null) and returns its visit (`fresh`: this sighting starts it), or null for a second face
   * given one person in a frame. Unknown people are told apart by
   * embedding, against the first sighting of each stranger; a stranger's face followed from the
   * frame before and as alike that frame's (`sameFace`) stays their visit, however far their
   * embedding has moved from the first as they turned.
   */
  private visit(who: string | null, embedding: Float32Array, time: number, claimed: Set<Visit>, track: FaceTrack, sameFace: boolean): { visit: Visit; fresh: boolean } | null {
    const window = this.config.cooldown * 1000;
    const followed = who === null && sameFace ? this.strangerOn(track, claimed) : undefined;
    let visit = who !== null ? this.known.get(who) : (followed ?? this.closestUnknown(embedding, claimed));
    // a second face given the same name in one frame: one of them is not that person
    if (visit && claimed.has(visit)) return null;
    const fresh = !visit || time - visit.lastSeen > window;
    if (!visit || fresh) {
      // a new visit (also for someone back after the cooldown): its events are new ones
      const over = visit;
      // …but a face followed from the frame before stays one object: a stranger (a cooldown under a
      // second), or a stranger now recognised, whose event takes the name
      const was = who === null ? (over === followed ? over : undefined) : sameFace ? this.strangers.get(track) : undefined;
      visit = { id: was?.id ?? ++this.visits, lastSeen: time, embedding };
      if (who !== null) this.known.set(who, visit);
      else this.unknown = [...this.unknown.filter((u) => u !== over), visit];
    }
    visit.lastSeen = time;
    claimed.add(visit);
    if (who === null) this.strangers.set(track, visit);
    return { visit, fresh };
  }

  /** The stranger's visit a followed face track had on the frame before, while that visit lasts. */
  private strangerOn(track: FaceTrack, claimed: Set<Visit>): Visit | undefined {
    const visit = this.strangers.get(track);
    return visit && !claimed.has(visit) && this.unknown.includes(visit) ? visit : undefined;
  }

  private closestUnknown(embedding: Float32Array, claimed: Set<Visit>): Visit | undefined {
    let best: Visit | undefined;
    let bestSimilarity = this.config.unknown_similarity;
    for (const u of this.unknown) {
      if (claimed.has(u)) continue;
      const similarity = cosineSimilarity(u.embedding, embedding);
      if (similarity >= bestSimilarity) [best, bestSimilarity] = [u, similarity];
    }
    return best;
  }

  private forget(time: number): void {
    const window = this.config.cooldown * 1000;
    for (const [who, v] of this.known) if (time - v.lastSeen > window) this.known.delete(who);
    this.unknown = this.unknown.filter((u) => time - u.lastSeen <= window);
  }
}

/** The face with some margin, as a JPEG a user can later name. */
async function faceJpeg(img: RgbImage, box: Box): Promise<Buffer> {
  const { image } = cropImage(img, growBox(box, 1.4, img.width, img.height));
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
