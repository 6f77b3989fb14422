import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { FrameContext } from '../analyzers/analyzer.js';
import { ProctorCamera } from '../analyzers/proctor/camera.js';
import { proctorCameraShape, proctorSchema, type SeatConfig } from '../analyzers/proctor/config.js';
import type { Incident } from '../analyzers/proctor/cue-timer.js';
import type { Classifier } from '../analyzers/proctor/observe.js';
import { personSchema } from '../analyzers/person/config.js';
import { findPersons } from '../analyzers/person/persons.js';
import { describeIssues } from '../config/errors.js';
import { silentLogger } from '../log.js';
import { Detector } from '../models/detector.js';
import { modelsSchema } from '../models/model-config.js';
import { openFaceMatcher } from '../registry/open-matcher.js';
import { sampleVideo, VIDEO } from '../sources/video-frames.js';
import { loadImage, type RgbImage } from '../vision/image.js';
import { resizeImage } from '../vision/resize.js';

const USAGE = `usage: argus proctor [options] <video|images…>
       argus proctor report <session id>   (argus proctor report --help)

Watches a recorded exam seat by seat and prints each incident (absent, extra_person, phone,
looking_away, looking_down, not_candidate, left_seat, suspicious), then a summary. Times are
seconds from the start (each image of a list counts as one second). docs/proctoring.md.

options:
  --json                 one JSON object per incident, then {"summary": …}
  --seats <seats.yml>    seats: a list of {name, coordinates, candidate?} (default: the whole frame)
  --background <image>   the empty room (default: each seat's first frames without a person)
  --every <seconds>      video: analyze one frame every so many seconds (default 0.5)
  --threshold <T>        silhouette threshold, mean |ΔR,ΔG,ΔB| (default 45)
  --classifier <file>    a trained k-NN ({k, samples: [{features, label}]}) for the suspicious cue
  --threads <n>          inference threads (default 2)
  --data <dir>           the face registry that names candidates (default: ARGUS_DATA_DIR, else ./data)`;

/** `seats:` as in the config, or the list alone (wrapped before checking, so errors name the key). */
const seatsFile = z.object({ seats: proctorCameraShape.seats }).strict();
const classifierFile = z.object({ k: z.number().int().min(1), samples: z.array(z.object({ features: z.array(z.number()), label: z.string() })) });

/** A classifier file: `{k, samples}`, or the Proctoring page's export (its first classifier). */
function classifierOf(doc: unknown): unknown {
  const archive = doc as { format?: unknown; classifiers?: unknown[] } | null;
  if (archive?.format !== 'argus-proctor-samples') return doc;
  if (!archive.classifiers?.length) throw new Error('the archive holds no trained classifier: save one on the Proctoring page first');
  return archive.classifiers[0];
}

/** Seconds, to a tenth, as the report gives them. */
const seconds = (ms: number) => Math.round(ms / 100) / 10;

interface Options {
  json: boolean;
  files: string[];
  every: number;
  threshold: number;
  seats: SeatConfig[];
  classifier: Classifier | null;
  background?: string;
  threads: number;
  data?: string;
}

/** The options, or the exit code when they are wrong (the reason printed) or only help was asked. */
function readOptions(args: string[]): Options | number {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        seats: { type: 'string' },
        background: { type: 'string' },
        every: { type: 'string', default: '0.5' },
        threshold: { type: 'string', default: '45' },
        classifier: { type: 'string' },
        threads: { type: 'string', default: '2' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return refuse((err as Error).message);
  }
  const { values, positionals: files } = parsed;
  if (values.help) {
    console.info(USAGE);
    return 0;
  }
  const every = Number(values.every);
  const threshold = Number(values.threshold);
  if (files.length === 0) return refuse('no files given');
  if (!(every > 0)) return refuse(`--every must be a positive number of seconds, got "${values.every}"`);
  if (!(threshold >= 0 && threshold <= 255)) return refuse(`--threshold must be between 0 and 255, got "${values.threshold}"`);
  const file = (path: string | undefined, schema: z.ZodType, parse: (text: string) => unknown, kind: string) => {
    if (!path) return undefined;
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    let doc: unknown;
    try {
      doc = parse(text);
    } catch (err) {
      throw new Error(`${path} is not ${kind}: ${(err as Error).message.split('\n')[0]}`);
    }
    const result = schema.safeParse(doc);
    if (!result.success) throw new Error(`${path} is not valid: ${describeIssues(result.error, doc, schema).join('; ')}`);
    return result.data;
  };
  try {
    const seatsDoc = (text: string) => {
      const doc = parseYaml(text) as unknown;
      return Array.isArray(doc) ? { seats: doc } : doc;
    };
    const seats = (file(values.seats, seatsFile, seatsDoc, 'YAML') as { seats: SeatConfig[] } | undefined)?.seats ?? [];
    const classifier = (file(values.classifier, classifierFile, (t) => classifierOf(JSON.parse(t)), 'JSON') as Classifier | undefined) ?? null;
    return { json: values.json, files, every, threshold, seats, classifier, background: values.background, threads: Number(values.threads), data: values.data };
  } catch (err) {
    console.error(`argus proctor: ${(err as Error).message}`);
    return 2;
  }
}

/** Recording seconds between two progress lines. */
const PROGRESS_EVERY_S = 30;

function refuse(why: string): number {
  console.error(`argus proctor: ${why}\n\n${USAGE}`);
  return 2;
}

export async function main(args: string[]): Promise<number> {
  // `argus proctor report <session>` reads the event store; everything else watches a recording
  if (args[0] === 'report') return (await import('./proctor-report.js')).main(args.slice(1));
  const options = readOptions(args);
  if (typeof options === 'number') return options;
  const { seats, classifier, every } = options;
  const config = proctorSchema.parse({ threshold: options.threshold });
  const models = modelsSchema.parse({ runtime: { threads: options.threads } });
  const wantsNames = seats.some((s) => s.candidate);
  const matcher = wantsNames ? openFaceMatcher({ dataDir: options.data ?? process.env.ARGUS_DATA_DIR ?? './data', model: models.faces.embedder, logger: silentLogger() }) : null;
  const detector = await Detector.create({ config: models, logger: silentLogger(), families: ['objects', 'faces'], embeddings: matcher !== null });
  const counts: Record<string, number> = {};
  const report = (i: Incident) => {
    counts[i.kind] = (counts[i.kind] ?? 0) + 1;
    const line = { kind: i.kind, seat: i.seat, start: seconds(i.start), end: seconds(i.end), score: Math.round(i.score * 100) / 100 };
    console.info(options.json ? JSON.stringify(line) : `${line.seat}: ${line.kind} from ${line.start} s to ${line.end} s (score ${line.score})`);
  };
  const camera = new ProctorCamera({
    camera: 'recording',
    config,
    seats,
    models: detector,
    matchFace: (e) => matcher?.match(e) ?? null,
    sessions: 'always',
    classifier: () => classifier,
    onIncident: report,
    fixedBackground: true,
  });
  try {
    const background = options.background ? await loadImage(options.background) : null;
    let time = 0;
    const began = Date.now();
    let said = 0;
    for await (const { img, step } of frames(options.files, every)) {
      if (background && time === 0) camera.observer.setBackground(await fitTo(background, img), camera.seatsFor(img.width, img.height));
      await camera.analyze(frameContext(detector, img, time * 1000));
      time += step;
      // An hour of exam takes many minutes with nobody misbehaving: a line on stderr each half minute of it read.
      if (time - said >= PROGRESS_EVERY_S) {
        said = time;
        console.error(`argus proctor: ${Math.round(time)} s of the recording read in ${Math.round((Date.now() - began) / 1000)} s`);
      }
    }
    camera.end(time * 1000);
    const summary = { seats: Math.max(1, seats.length), incidents: counts, duration: Math.round(time * 10) / 10 };
    console.info(options.json ? JSON.stringify({ summary }) : `${summary.seats} seat(s), ${summary.duration} s: ${incidentWords(counts)}`);
    return 0;
  } catch (err) {
    console.error(`argus proctor: ${(err as Error).message}`);
    return 1;
  } finally {
    await detector.close();
    matcher?.close();
  }
}

/** The recording as frames, each with the seconds it stands for: a video's sampling step, or one second an image. */
async function* frames(files: readonly string[], every: number): AsyncGenerator<{ img: RgbImage; step: number }> {
  for (const file of files) {
    if (VIDEO.has(extname(file).toLowerCase())) {
      let any = false;
      for await (const img of sampleVideo(file, every, { grid: true })) {
        any = true;
        yield { img, step: every };
      }
      if (!any) throw new Error(`${file}: no video frames could be decoded`);
    } else yield { img: await loadImage(file), step: 1 };
  }
}

async function fitTo(img: RgbImage, like: RgbImage): Promise<RgbImage> {
  return img.width === like.width && img.height === like.height ? img : resizeImage(img, like.width, like.height);
}

/** "2 looking_away, 1 phone", or "no incidents". */
function incidentWords(counts: Record<string, number>): string {
  const said = Object.entries(counts).map(([kind, n]) => `${n} ${kind}`);
  return said.length > 0 ? said.join(', ') : 'no incidents';
}

/** What the live pipeline hands an analyzer, for one frame of a recording (objects detected once, persons as `analyzers.person` counts them). */
function frameContext(detector: Detector, img: RgbImage, time: number): FrameContext {
  const person = personSchema.parse({});
  const objects = detector.detectObjects(img);
  return {
    camera: 'recording',
    time,
    img,
    objects: () => objects,
    persons: async () => findPersons(await objects, undefined, person, img.width, img.height),
    // the proctor looks at bodies only
    faces: async () => [],
    earlier: [],
  };
}
