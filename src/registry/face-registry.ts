// Over 300 lines on purpose: the registry is the one facade over people, samples, matching and
// backups that the API, Telegram and the CLI share; its parts live beside it (face-index,
// photo-face, archive, backup-rotation), and what is left here is their transactions.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { l2Normalize } from '../models/face-embedder.js';
import type { Db } from '../store/database.js';
import { PeopleStore, type NewSample, type Person, type PersonSummary, type SampleInfo } from '../store/people.js';
import { ImageLoadError, loadImage, UPLOAD_FIT_PIXELS, type RgbImage } from '../vision/image.js';
import { packArchive, unpackArchive } from './archive.js';
import { BackupRotation, type BackupFile } from './backup-rotation.js';
import type { RegistryConfig } from './config.js';
import { RegistryError } from './errors.js';
import { decide } from './decision.js';
import { FaceIndex, type MatchStrategy } from './face-index.js';
import { checkPersonName, storedForm } from './person-name.js';
import { faceOfPhoto, facesOfPhoto, type FaceModels, type FoundFace } from './photo-face.js';

/**
 * A face added to an enrolled person under this similarity to each of their photos is refused
 * unless forced. Measured on the faces-lfw12 set (12 people, 1,361 faces; docs/faces.md): 0.15–0.29 %
 * of a person's own photos fall under it, and 38 % (one photo to compare with) to 81 % (all of
 * them) of another person's faces do not: a net for plain mistakes, not a second matcher.
 */
const UNLIKE = 0.5;
/** At or above this, the face is a photo the person already has (the same file gives exactly 1; two files of one person reached 0.978). */
const SAME_PHOTO = 0.999;

/** An unknown face kept with an event (by the events module): enough to enrol it later. */
export interface EventFace {
  /** JPEG of the face. */
  crop: Buffer;
  embedding: Float32Array;
}

export interface FaceRegistryOptions {
  /** `<data>/argus.db`, opened by the caller (shared with the other stores). */
  db: Db;
  config: RegistryConfig;
  /** Backups go to `<dataDir>/backups/`. */
  dataDir: string;
  /** The embedder whose embeddings are matched (`models.faces.embedder`); samples of another model are ignored. */
  model: string;
  /** Needed only to enrol from photos. */
  models?: FaceModels;
  /** Needed only to enrol an event's unknown face. */
  loadEventFace?: (eventId: string) => Promise<EventFace | undefined>;
  /** Called after every committed change, this process's or another's (`argus faces` beside it): to tell the UI or MQTT. */
  onChange?: (counts: { people: number; samples: number }) => void;
  /**
   * How often (ms) to look for changes another process committed, so onChange says them without
   * waiting for the next match; 0 (default) only looks when the registry is read.
   */
  watchMs?: number;
  /**
   * Called after a rename or a merge: the events name people by name, not id, so their past
   * events can follow (`from`'s become `to`'s).
   */
  onRenamed?: (from: string, to: string) => void;
  logger: Logger;
  /** `max` (default, measured better on the fixtures: docs/faces.md) or `mean`. */
  strategy?: MatchStrategy;
  now?: () => number;
}

export interface FaceMatch {
  personId: number;
  name: string;
  similarity: number;
  sampleId: number;
}

export interface EnrolOptions {
  /** Which face of a photo with several (0 = leftmost). */
  face?: number;
  /** Enrol even when the face matches another person above the threshold. */
  force?: boolean;
  /** Set or change the person's external id (e.g. a Home Assistant person entity). */
  externalId?: string;
}

export interface EnrolResult {
  person: Person;
  created: boolean;
  /**
   * `likeness`: how like the person's other photos each new one is (their closest; null for a
   * first photo). Under the threshold it went in (over UNLIKE, or forced) but is doubtful: were it
   * someone else, strangers who look like that one would be given this name.
   */
  samples: { id: number; face?: FoundFace; source: string; likeness: number | null }[];
}

export interface PhotoInput {
  data: Uint8Array;
  /** The file name, for messages and the sample's source. */
  label: string;
}

type SampleInput = Omit<NewSample, 'model' | 'createdAt'> & { face?: FoundFace };

/**
 * People and their face samples: enrol (from photos, events or embeddings), de-duplicate,
 * rename, delete, match, export/import, rotating backups. Matching reads an in-memory
 * `FaceIndex` kept in step with the database, and reloaded when another process (the `argus
 * faces` command beside a running Argus) commits a change.
 */
export class FaceRegistry {
  private store?: PeopleStore;
  private index: FaceIndex | null = null;
  private names = new Map<number, string>();
  private version = -1;
  private backups?: BackupRotation;
  private watch?: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: FaceRegistryOptions) {
    this.now = opts.now ?? Date.now;
  }

  get threshold(): number {
    return this.opts.config.threshold;
  }

  /** Average similarity that makes unknown faces one stranger (`faces.group_threshold`). */
  get groupThreshold(): number {
    return this.opts.config.group_threshold;
  }

  /** Largest photo accepted for enrolment (`faces.max_upload_mb`). */
  get maxUploadBytes(): number {
    return Math.round(this.opts.config.max_upload_mb * 1024 * 1024);
  }

  start(): void {
    this.store = new PeopleStore(this.opts.db);
    this.backups = new BackupRotation({
      dir: join(this.opts.dataDir, 'backups'),
      keep: this.opts.config.backups.keep,
      keepDaily: this.opts.config.backups.keep_daily,
      delayMs: this.opts.config.backups.delay * 1000,
      snapshot: () => this.exportArchive(),
      contents: () => this.people.list().map((p) => ({ name: p.name, samples: p.samples })),
      logger: this.opts.logger,
      now: this.now,
    });
    this.reload();
    if (this.opts.watchMs) {
      this.watch = setInterval(() => {
        try {
          this.fresh();
        } catch (err) {
          this.opts.logger.warn({ err }, 'could not look for face registry changes made by another process');
        }
      }, this.opts.watchMs);
      this.watch.unref();
    }
  }

  /** Writes a pending backup, so the last changes are in one. */
  stop(): void {
    clearInterval(this.watch);
    this.backups?.flush();
  }

  private get people(): PeopleStore {
    if (!this.store) throw new Error('FaceRegistry used before start()');
    return this.store;
  }

  /** Rebuilds the index from the database. */
  private reload(): void {
    const store = this.people;
    this.names = new Map(store.people().map((p) => [p.id, p.name]));
    this.index = null;
    let otherModel = 0;
    for (const s of store.embeddings()) {
      if (s.model !== this.opts.model) {
        otherModel++;
        continue;
      }
      this.index ??= new FaceIndex(s.embedding.length);
      if (s.embedding.length === this.index.dims) this.index.add(s.id, s.personId, s.embedding);
    }
    if (otherModel > 0) {
      this.opts.logger.warn(`${otherModel} face samples were made by another embedder than ${this.opts.model} and are not matched: enrol those people again`);
    }
    this.version = store.dataVersion();
  }

  /** Picks up changes another process committed (`argus faces` beside a running Argus), and says them. */
  private fresh(): void {
    if (this.people.dataVersion() === this.version) return;
    this.reload();
    this.opts.onChange?.(this.people.counts());
  }

  private changed(reindex: boolean): void {
    if (reindex) this.reload();
    else this.version = this.people.dataVersion();
    this.backups?.changed();
    this.opts.onChange?.(this.people.counts());
  }

  /** Samples the matcher holds. */
  get size(): number {
    this.fresh();
    return this.index?.count ?? 0;
  }

  /** The closest person, whatever the similarity; `except` leaves one person out. */
  nearest(embedding: Float32Array, except?: number): FaceMatch | null {
    this.fresh();
    if (!this.index || embedding.length !== this.index.dims) return null;
    const best = this.index.best(l2Normalize(embedding), this.opts.strategy ?? 'max', except);
    if (!best) return null;
    return { ...best, name: this.names.get(best.personId) ?? `#${best.personId}` };
  }

  /**
   * Who this face is, or null for a stranger: the closest person at or above the threshold, far
   * enough ahead of the runner-up, with enough agreeing samples (decision.ts).
   */
  match(embedding: Float32Array): FaceMatch | null {
    this.fresh();
    if (!this.index || embedding.length !== this.index.dims) return null;
    const { threshold, margin, min_agreeing } = this.opts.config;
    const verdict = decide(this.index.ranked(l2Normalize(embedding), threshold, this.opts.strategy ?? 'max'), { threshold, margin, minAgreeing: min_agreeing });
    if (verdict.name !== 'named') return null;
    const { personId, similarity, sampleId } = verdict.best;
    return { personId, similarity, sampleId, name: this.names.get(personId) ?? `#${personId}` };
  }

  list(): PersonSummary[] {
    return this.people.list();
  }

  person(name: string): Person & { samples: SampleInfo[] } {
    const p = this.find(name);
    return { ...p, samples: this.people.samplesOf(p.id) };
  }

  /** A sample's JPEG crop, when it belongs to `name` and has one. */
  crop(name: string, sampleId: number): Buffer | undefined {
    const p = this.find(name);
    const s = this.people.sample(sampleId);
    if (!s || s.personId !== p.id) throw new RegistryError('sample_not_found', `"${p.name}" has no face sample ${sampleId}`);
    return s.crop ?? undefined;
  }

  thumbnail(name: string): Buffer | undefined {
    return this.people.thumbnailOf(this.find(name).id);
  }

  private find(name: string): Person {
    // Looked up as it is stored: a link typed with a phone's ’ finds O'Brien.
    const p = this.people.byName(storedForm(name));
    if (!p) throw new RegistryError('person_not_found', `no person named "${name}" in the face registry`);
    return p;
  }

  /** Whether it has the face models (it can still match embeddings without them). */
  get canReadPhotos(): boolean {
    return this.opts.models !== undefined;
  }

  private faceModels(): FaceModels {
    if (!this.opts.models) throw new Error('FaceRegistry was built without face models: it cannot read photos');
    return this.opts.models;
  }

  /** Who is in a photo: every face found, left to right, with the name it matches (or null). */
  async identify(photo: PhotoInput): Promise<(FoundFace & { name: string | null; similarity: number | null })[]> {
    const models = this.faceModels();
    const img = await decode(photo);
    const faces = await facesOfPhoto(models, img);
    const out = [];
    for (const { found, detection } of faces) {
      const embedding = await models.embedFace(img, detection);
      const best = this.nearest(embedding);
      const similarity = best ? Math.round(best.similarity * 1000) / 1000 : null;
      out.push({ ...found, name: this.match(embedding)?.name ?? null, similarity });
    }
    return out;
  }

  /**
   * The surest face of a photo (an event's crop, a Frigate snapshot), embedded and matched:
   * undefined when the photo holds none. Its box is in the photo's pixels. `within` (a Frigate
   * event's person box, drawn on a frame of `width`×`height`, by default the photo's own size) keeps
   * only faces whose centre lies in it, grown by a tenth a side: in a frame of two people, the face
   * of the person the event is about.
   */
  async surestFace(
    jpeg: Buffer,
    within?: { box: readonly [number, number, number, number]; width?: number; height?: number },
  ): Promise<{ box: FoundFace['box']; score: number; embedding: Float32Array; match: FaceMatch | null } | undefined> {
    const models = this.faceModels();
    const img = await loadImage(jpeg);
    const area = within && scaledBox(within.box, img.width / (within.width ?? img.width), img.height / (within.height ?? img.height));
    const inside = (f: { box: readonly number[] }) => !area || centreWithin(f.box, area);
    const [face] = (await models.detectFaces(img)).filter(inside).sort((a, b) => b.score - a.score);
    if (!face) return undefined;
    const embedding = await models.embedFace(img, face);
    return { box: face.box, score: face.score, embedding, match: this.match(embedding) };
  }

  /** Enrols one face from each photo, all or none: one refused photo refuses the lot, saying which. */
  async enrolPhotos(name: string, photos: PhotoInput[], opts: EnrolOptions = {}): Promise<EnrolResult> {
    checkPersonName(name);
    const models = this.faceModels();
    if (photos.length === 0) throw new RegistryError('no_face', 'no photo was given: send one or more images');
    const samples: SampleInput[] = [];
    for (const photo of photos) {
      const img = await decode(photo);
      const found = await faceOfPhoto(models, img, opts.face, photo.label);
      samples.push({ embedding: found.embedding, crop: found.crop, source: 'photo', sourceRef: photo.label, box: found.face.box, face: found.face });
    }
    return this.enrol(name, samples, opts);
  }

  /** Enrols the unknown face an event kept. */
  async enrolFromEvent(name: string, eventId: string, opts: Pick<EnrolOptions, 'force' | 'externalId'> = {}): Promise<EnrolResult> {
    checkPersonName(name);
    const face = await this.opts.loadEventFace?.(eventId);
    if (!face) throw new RegistryError('event_face_not_found', `event ${eventId} has no unknown face to enrol (it may have been deleted, or held no face)`);
    return this.enrol(name, [{ embedding: face.embedding, crop: face.crop, source: 'event', sourceRef: eventId, box: null }], opts);
  }

  /**
   * The one way samples get in: checks each against the other people (the duplicate check), then
   * adds the person if new and all samples in one transaction.
   */
  enrol(name: string, samples: SampleInput[], opts: Pick<EnrolOptions, 'force' | 'externalId'> = {}): EnrolResult {
    const clean = checkPersonName(name);
    this.fresh();
    const existing = this.people.byName(clean);
    const normalised = samples.map((s) => ({ ...s, embedding: l2Normalize(s.embedding) }));
    const likeness: Array<number | null> = [];
    for (const s of normalised) {
      if (this.index && s.embedding.length !== this.index.dims) {
        throw new RegistryError('wrong_embedding', `embedding has ${s.embedding.length} values; ${this.opts.model} embeddings have ${this.index.dims}`);
      }
      const other = this.nearest(s.embedding, existing?.id);
      if (!opts.force && other && other.similarity >= this.threshold) {
        const from = s.sourceRef ? ` in ${s.sourceRef}` : '';
        throw new RegistryError(
          'duplicate',
          `the face${from} looks like "${other.name}" (similarity ${other.similarity.toFixed(3)}, threshold ${this.threshold}): add it to "${other.name}" instead, or pass force to enrol it as "${clean}" anyway`,
          { person: other.name, similarity: Math.round(other.similarity * 1000) / 1000 },
        );
      }
      // like someone else is the likelier mistake, and the more useful thing to say; then: like this person?
      likeness.push(existing ? this.checkLikeness(existing, s, opts.force) : null);
    }
    const now = this.now();
    const result = this.people.transaction((): EnrolResult => {
      if (opts.externalId !== undefined) this.checkExternalId(opts.externalId, existing?.id);
      const person = existing ?? this.people.createPerson(clean, opts.externalId ?? null, now);
      if (existing) this.people.updatePerson(existing.id, { externalId: opts.externalId }, now);
      const ids = normalised.map((s) => {
        const { face, ...sample } = s;
        return { id: this.people.addSample(person.id, { ...sample, model: this.opts.model, createdAt: now }), face, source: s.source, likeness: null as number | null };
      });
      return { person: this.people.byId(person.id)!, created: !existing, samples: ids.map((x, i) => ({ ...x, likeness: likeness[i] ?? null })) };
    });
    // Appending keeps enrolment O(1) in the registry's size; deletes rebuild.
    this.names.set(result.person.id, result.person.name);
    for (let i = 0; i < normalised.length; i++) {
      this.index ??= new FaceIndex(normalised[i].embedding.length);
      this.index.add(result.samples[i].id, result.person.id, normalised[i].embedding);
    }
    this.changed(false);
    return result;
  }

  /**
   * A face added to someone already enrolled should look like them: under UNLIKE to every one of
   * their photos it is refused unless forced (a stranger named as someone else by mistake), and a
   * photo they already have is refused outright.
   */
  private checkLikeness(person: Person, s: SampleInput, force?: boolean): number | null {
    const own = this.index?.ranked(s.embedding, 1, 'max').find((p) => p.personId === person.id)?.similarity;
    if (own === undefined) return null; // no photos of this embedder yet
    const from = s.sourceRef ? ` in ${s.sourceRef}` : '';
    if (own >= SAME_PHOTO) throw new RegistryError('same_photo', `the face${from} is already one of "${person.name}"'s photos`, { person: person.name });
    if (!force && own < UNLIKE) {
      throw new RegistryError(
        'unlike',
        `the face${from} does not look like "${person.name}"'s other photos (similarity ${own.toFixed(3)}, under ${UNLIKE}): check that it is them, or pass force to add it anyway`,
        { person: person.name, similarity: Math.round(own * 1000) / 1000 },
      );
    }
    return Math.round(own * 1000) / 1000;
  }

  private checkExternalId(externalId: string, self?: number): void {
    const holder = this.people.byExternalId(externalId);
    if (holder && holder.id !== self) throw new RegistryError('name_taken', `external id "${externalId}" already belongs to "${holder.name}"`);
  }

  /** Renames a person and/or sets their external id (null clears it). */
  update(name: string, change: { name?: string; externalId?: string | null }): Person {
    const p = this.find(name);
    const newName = change.name === undefined ? undefined : checkPersonName(change.name);
    this.people.transaction(() => {
      if (newName !== undefined) {
        const holder = this.people.byName(newName);
        if (holder && holder.id !== p.id) throw new RegistryError('name_taken', `there is already a person named "${holder.name}": pick another name, or delete that person first`);
      }
      if (change.externalId) this.checkExternalId(change.externalId, p.id);
      this.people.updatePerson(p.id, { name: newName, externalId: change.externalId }, this.now());
    });
    this.changed(true);
    if (newName !== undefined && newName !== p.name) this.renamed(p.name, newName);
    return this.people.byId(p.id)!;
  }

  /** Deletes a person and all their samples. */
  removePerson(name: string): void {
    const p = this.find(name);
    this.people.transaction(() => this.people.deletePerson(p.id));
    this.changed(true);
  }

  /**
   * Moves every sample of `from` to `into` and deletes `from`: two entries that were one person
   * (enrolled under two names). No duplicate check: saying they are one person is the point; but
   * two who look nothing alike (no photo of one under UNLIKE to any of the other's) are refused
   * unless forced, as a photo is: merged, strangers like one were named the other.
   */
  merge(from: string, into: string, opts: { force?: boolean } = {}): { person: Person; moved: number } {
    const source = this.find(from);
    const target = this.find(into);
    if (source.id === target.id) throw new RegistryError('same_person', `"${source.name}" cannot be merged into itself: pick another person`);
    this.fresh();
    const alike = this.index?.likeness(source.id, target.id) ?? null;
    if (!opts.force && alike !== null && alike < UNLIKE) {
      throw new RegistryError(
        'unlike',
        `"${source.name}" and "${target.name}" look nothing alike (their closest photos ${Math.round(alike * 100)} % similar, under ${Math.round(UNLIKE * 100)} %): check they are one person, or pass force to merge them anyway`,
        { person: target.name, similarity: Math.round(alike * 1000) / 1000 },
      );
    }
    const moved = this.people.transaction(() => {
      const n = this.people.moveSamples(source.id, target.id);
      this.people.deletePerson(source.id);
      this.people.touch(target.id, this.now());
      return n;
    });
    this.changed(true);
    this.renamed(source.name, target.name);
    return { person: this.people.byId(target.id)!, moved };
  }

  private renamed(from: string, to: string): void {
    try {
      this.opts.onRenamed?.(from, to);
    } catch (err) {
      this.opts.logger.warn({ err }, `"${to}" is renamed, but their past events still say "${from}"`);
    }
  }

  removeSample(name: string, sampleId: number): void {
    const p = this.find(name);
    this.people.transaction(() => {
      const s = this.people.sample(sampleId);
      if (!s || s.personId !== p.id) throw new RegistryError('sample_not_found', `"${p.name}" has no face sample ${sampleId}`);
      this.people.deleteSample(sampleId);
      this.people.touch(p.id, this.now());
    });
    this.changed(true);
  }

  /** The whole registry as one `.tar.gz` (see archive.ts). */
  exportArchive(): Buffer {
    return packArchive(this.people.people(), this.people.allSamples(), this.now());
  }

  /**
   * Replaces the whole registry with an archive's. The archive is checked whole first and the swap
   * is one transaction, so a bad archive changes nothing; the registry as it was is backed up first.
   * People keep the ids the archive gives them: Home Assistant's person entities and their last
   * sightings are keyed by id, so an export imported again changes none of them.
   */
  async importArchive(archive: Buffer): Promise<{ people: number; samples: number; backup: string | null }> {
    const people = await unpackArchive(archive);
    for (const p of people) {
      try {
        checkPersonName(p.name);
      } catch (err) {
        throw new RegistryError('bad_archive', `not a usable face registry archive: ${(err as Error).message}; nothing was changed`);
      }
    }
    const backup = this.people.counts().samples > 0 || this.people.counts().people > 0 ? this.backups!.writeNow() : null;
    // An archive from before ids were kept: each person keeps the id they have now under their name,
    // so restoring an older backup does not give everyone (and their HA entity) a new one.
    const current = new Map(this.people.people().map((p) => [p.name, p.id]));
    const taken = new Set(people.flatMap((p) => (p.id === undefined ? [] : [p.id])));
    const idOf = (p: (typeof people)[number]) => p.id ?? (current.has(p.name) && !taken.has(current.get(p.name)!) ? current.get(p.name) : undefined);
    this.people.transaction(() => {
      this.people.deleteAll();
      // those with their ids first, so a person without one (an older archive) never takes another's
      for (const p of [...people].sort((a, b) => Number(idOf(a) === undefined) - Number(idOf(b) === undefined))) {
        const { id } = this.people.createPerson(p.name, p.externalId, p.createdAt, idOf(p));
        this.people.updatePerson(id, {}, p.updatedAt);
        for (const s of p.samples) this.people.addSample(id, s);
      }
    });
    this.changed(true);
    return { ...this.people.counts(), backup };
  }

  /**
   * Restores a backup (or any export) file: `importArchive` of its content. A bare name that is
   * not a file here is looked for among the backups, as `argus faces backups` lists them.
   */
  async restore(path: string): Promise<{ people: number; samples: number; backup: string | null }> {
    const file = existsSync(path) ? path : (this.listBackups().find((b) => b.file === path)?.path ?? path);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT' ? 'no such file, nor a backup of that name (argus faces backups lists them)' : code === 'EACCES' ? 'permission denied' : (code ?? (err as Error).message);
      throw new RegistryError('bad_archive', `cannot read ${path}: ${why}`);
    }
    return this.importArchive(data);
  }

  listBackups(): BackupFile[] {
    return this.backups?.list() ?? [];
  }
}

/** Decodes an uploaded photo; an unreadable or oversized one is refused with its name. */
async function decode(photo: PhotoInput): Promise<RgbImage> {
  try {
    return await loadImage(photo.data, { fitPixels: UPLOAD_FIT_PIXELS });
  } catch (err) {
    if (err instanceof ImageLoadError) {
      throw new RegistryError(err.code === 'too_large' ? 'too_large' : 'not_an_image', `${photo.label}: ${err.message}`);
    }
    throw err;
  }
}

const scaledBox = (b: readonly number[], sx: number, sy: number): [number, number, number, number] => [b[0] * sx, b[1] * sy, b[2] * sx, b[3] * sy];

/** Whether a face box's centre lies in `outer` grown by 10 % a side. */
function centreWithin(box: readonly number[], outer: readonly [number, number, number, number]): boolean {
  const [x, y] = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2];
  const dx = (outer[2] - outer[0]) * 0.1;
  const dy = (outer[3] - outer[1]) * 0.1;
  return x >= outer[0] - dx && x <= outer[2] + dx && y >= outer[1] - dy && y <= outer[3] + dy;
}
