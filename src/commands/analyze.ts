import { readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../log.js';
import { analyzeImage, type ImageAnalysis } from '../models/analyze-image.js';
import { Detector, MODEL_FAMILIES, type ModelFamily } from '../models/detector.js';
import { modelsSchema } from '../models/model-config.js';
import { openFaceMatcher, type FaceMatcher } from '../registry/open-matcher.js';
import { sampleVideo, VIDEO } from '../sources/video-frames.js';
import { loadImage } from '../vision/image.js';
import type { WeaponConfig } from '../analyzers/weapon/config.js';
import { ConfigError } from '../config/errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { registryConfigSchema } from '../registry/config.js';
import { photoWeapons, type WeaponFinding } from '../analyzers/weapon/photo-weapons.js';
import { ARMED_PERSON } from '../analyzers/weapon/weapon.js';
import { poseSchema } from '../analyzers/pose/config.js';

const USAGE = `usage: argus analyze <image|video|folder…> [options]

Runs the detectors on images (or frames sampled from videos) and prints what they find,
coordinates in source pixels. A folder stands for the photos and videos in it.

options:
  --json                 one JSON object per image or frame, one per line
  --embeddings           include each face's embedding (with --json)
  --models <list>        comma-separated: objects,faces,pose (default: all)
  --every <seconds>      video: sample one frame every so many seconds (default 1)
  --pose <model>         blazepose (33 keypoints, default) or movenet (17, fast)
  --embedder <model>     faceres (default) or mobilefacenet
  --yolo <file.onnx>     also run a user YOLO model (e.g. a pistol/rifle detector)
  --labels <file.txt>    its labels, one a line
  --heads <a,b>          head files from "argus train objects" to merge into the default
                         detector (as models.objects.heads does): their classes are found too
  --threads <n>          inference threads (default 2)
  --data <dir>           name faces from the face registry in this data folder
                         (default: the config's data_dir: ARGUS_DATA_DIR, else ./data);
                         nobody enrolled, no names
  --config <file>        the config to read faces.threshold, analyzers.weapon and data_dir
                         from (default: as argus run finds it; none: the defaults)`;

// biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one pass over the arguments (images, videos, folders), each a few lines
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        embeddings: { type: 'boolean', default: false },
        models: { type: 'string', default: MODEL_FAMILIES.join(',') },
        every: { type: 'string', default: '1' },
        pose: { type: 'string', default: 'blazepose' },
        embedder: { type: 'string', default: 'faceres' },
        yolo: { type: 'string' },
        labels: { type: 'string' },
        heads: { type: 'string' },
        threads: { type: 'string', default: '2' },
        data: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    console.error(`argus analyze: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length === 0) {
    console.error(`argus analyze: no files given\n\n${USAGE}`);
    return 2;
  }
  const expanded = positionals.map(folderContents);
  const empty = positionals.filter((_, i) => expanded[i].length === 0);
  for (const folder of empty) console.error(`argus analyze: ${folder}: no photos (${[...IMAGE].join(' ')}) or videos in this folder`);
  const files = expanded.flat();
  if (files.length === 0) return 2;
  const families = values.models
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = families.filter((f) => !MODEL_FAMILIES.includes(f as ModelFamily));
  if (unknown.length > 0) {
    console.error(`argus analyze: unknown model family "${unknown.join(', ')}"; use ${MODEL_FAMILIES.join(', ')}`);
    return 2;
  }
  const every = Number(values.every);
  if (!(every > 0)) {
    console.error(`argus analyze: --every must be a positive number of seconds, got "${values.every}"`);
    return 2;
  }
  if (values.embeddings && !values.json) {
    console.error('argus analyze: --embeddings is printed only with --json; the summary leaves embeddings out');
  }
  if (values.yolo && !values.labels) {
    console.error('argus analyze: --yolo needs --labels <file> (one label a line)');
    return 2;
  }
  const config = modelsSchema.safeParse({
    runtime: { threads: Number(values.threads) },
    faces: { embedder: values.embedder },
    pose: { model: values.pose },
    objects: {
      ...(values.yolo ? { model: { path: values.yolo, labels: values.labels } } : {}),
      heads: (values.heads ?? '')
        .split(',')
        .map((h) => h.trim())
        .filter(Boolean),
    },
  });
  if (!config.success) {
    // in the flags' words: "--pose bogus: one of blazepose, movenet", not the config's keys
    const flagOf: Record<string, string> = { 'runtime.threads': 'threads', 'faces.embedder': 'embedder', 'pose.model': 'pose' };
    const said = config.error.issues.map((i) => {
      const flag = flagOf[i.path.join('.')];
      const allowed = i.code === 'invalid_value' ? `one of ${i.values.join(', ')}` : i.code === 'invalid_type' ? 'a number' : i.message;
      return flag ? `--${flag} ${values[flag as 'pose']}: expected ${allowed}` : `${i.path.join('.')}: ${i.message}`;
    });
    console.error(`argus analyze: ${said.join('; ')}`);
    return 2;
  }

  // Names and alerts as the running Argus gives them: its faces.threshold and analyzers.weapon.
  let argusConfig: LoadedConfig;
  try {
    argusConfig = loadConfig({ configPath: values.config });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`argus analyze: ${err.message}`);
    return 78;
  }
  const weapons: WeaponRules = { config: argusConfig.config.analyzers.weapon, said: argusConfig.source.startsWith('defaults') ? 'default' : 'configured' };
  // A file that is not there is said at once, before the models load (seconds), with the others
  const missing = files.filter((f) => !isFile(f));
  for (const file of missing) failedFile(file, isDir(file) ? 'a folder, not a photo or a video' : 'cannot read file: no such file', values.json);
  const present = files.filter((f) => !missing.includes(f));
  if (present.length === 0) return 1;
  // Faces get names when the data folder holds a registry with people in it.
  const dataDir = values.data ?? argusConfig.config.data_dir;
  const faces = registryConfigSchema.parse((argusConfig.config as { faces?: unknown }).faces ?? {});
  const matcher = families.includes('faces') ? openFaceMatcher({ dataDir, model: config.data.faces.embedder, config: faces, logger: silentLogger() }) : null;
  let detector: Detector;
  try {
    detector = await Detector.create({
      config: config.data,
      logger: silentLogger(),
      families: families as ModelFamily[],
      embeddings: values.embeddings || matcher !== null,
      strictHeads: true,
    });
  } catch (err) {
    // A missing model, a bad head file: the reason, not a stack.
    console.error(`argus analyze: ${(err as Error).message}`);
    return 1;
  }
  const print = (r: ImageAnalysis) => {
    if (matcher) nameFaces(r, matcher, values.embeddings);
    console.log(values.json ? JSON.stringify(r.timings_ms.objects !== undefined ? { ...r, weapons: photoWeapons(r, weapons.config) } : r) : summary(r, weapons));
  };
  const opts = { families: families as ModelFamily[], embeddings: values.embeddings || matcher !== null };
  let failed = empty.length + missing.length;
  try {
    for (const file of present) {
      try {
        if (VIDEO.has(extname(file).toLowerCase())) {
          let frame = 0;
          for await (const img of sampleVideo(file, every)) {
            const r = await analyzeImage(detector, img, { ...opts, file: basename(file) });
            print({ ...r, frame, time_s: Math.round(frame * every * 1000) / 1000 });
            frame++;
          }
          if (frame === 0) throw new Error('no video frames could be decoded');
        } else {
          print(await analyzeImage(detector, await loadImage(file), { ...opts, file: basename(file) }));
        }
      } catch (err) {
        failed++;
        failedFile(file, err instanceof Error ? err.message : String(err), values.json);
      }
    }
  } finally {
    await detector.close();
    matcher?.close();
  }
  return failed > 0 ? 1 : 0;
}

/** A file that could not be analysed: on stderr, and with --json as a line of its own, so every file given has one. */
function failedFile(file: string, why: string, json: boolean): void {
  console.error(`argus analyze: ${file}: ${why}`);
  if (json) console.log(JSON.stringify({ file: basename(file), error: why }));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const IMAGE = new Set(['.jpg', '.jpeg', '.png', '.webp']);

/** A folder stands for the photos and videos in it (not its subfolders), by name; anything else for itself. */
function folderContents(path: string): string[] {
  let entries: string[];
  try {
    if (!statSync(path).isDirectory()) return [path];
    entries = readdirSync(path);
  } catch {
    return [path]; // a missing file is said when it is read, with the others
  }
  return entries
    .filter((name) => IMAGE.has(extname(name).toLowerCase()) || VIDEO.has(extname(name).toLowerCase()))
    .sort()
    .map((name) => join(path, name));
}

/** Adds `name` and `similarity` to each face; drops the embedding unless it was asked for. */
function nameFaces(r: ImageAnalysis, matcher: FaceMatcher, keepEmbeddings: boolean): void {
  for (const face of r.faces) {
    const match = face.embedding ? matcher.match(Float32Array.from(face.embedding)) : null;
    face.name = match?.name ?? null;
    face.similarity = match ? Math.round(match.similarity * 1000) / 1000 : null;
    if (!keepEmbeddings) delete face.embedding;
  }
}

/** A keypoint counts as seen from the pose analyzer's default score, as on the Analyze page. */
const KEYPOINT_MIN = poseSchema.parse({}).min_keypoint_score;

/** `analyzers.weapon` as the config gives it, and whether that is the defaults or a config's. */
interface WeaponRules {
  config: WeaponConfig;
  said: 'default' | 'configured';
}

/** The weapons line: "knife 17%" is not read as an alarm; undefined without any. */
function weaponsLine(found: readonly WeaponFinding[], thresholds: WeaponRules['said']): string | undefined {
  if (found.length === 0) return undefined;
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
  const said = (w: WeaponFinding) =>
    `${w.label} ${pct(w.score)}${w.armed_person ? ` at a wrist (${ARMED_PERSON}; detector ${pct(w.detector_score)})` : ''} (alerts from ${pct(w.threshold)})`;
  const over = found.filter((w) => w.alerts);
  const under = found.filter((w) => !w.alerts);
  return `  weapons at the ${thresholds} alert thresholds: ${over.map(said).join(', ') || 'none'}${under.length ? `; under them: ${under.map(said).join(', ')}` : ''}`;
}

function summary(r: ImageAnalysis, weapons: WeaponRules): string {
  const where = r.frame !== undefined ? `${r.file} @ ${r.time_s}s` : r.file;
  const lines = [`${where} (${r.width}×${r.height})`];
  const b = (box: number[]) => `[${box.map((v) => Math.round(v)).join(', ')}]`;
  if (r.timings_ms.objects !== undefined) {
    lines.push(
      `  objects (${r.objects.length}, ${r.timings_ms.objects} ms): ${r.objects.map((o) => `${o.label} ${(o.score * 100).toFixed(0)}% ${b(o.box)}`).join(', ') || 'none'}`,
    );
  }
  if (r.timings_ms.objects !== undefined) {
    const line = weaponsLine(photoWeapons(r, weapons.config), weapons.said);
    if (line) lines.push(line);
  }
  if (r.timings_ms.objects !== undefined) {
    const given = r.persons.filter((p) => p.from !== 'objects').length;
    lines.push(
      `  persons (${r.persons.length}${given ? `, ${given} given by faces` : ''}): ${r.persons.map((p) => `${(p.score * 100).toFixed(0)}% ${b(p.box)}${p.from === 'objects' ? '' : ` (${p.from})`}`).join(', ') || 'none'}`,
    );
  }
  if (r.timings_ms.faces !== undefined) {
    lines.push(
      `  faces (${r.faces.length}, ${r.timings_ms.faces} ms): ${r.faces.map((f) => `${f.name ? `${f.name} (${Math.round((f.similarity ?? 0) * 100)}% similar) ` : f.name === null ? 'unknown ' : ''}${(f.score * 100).toFixed(0)}% ${b(f.box)}`).join(', ') || 'none'}`,
    );
  }
  if (r.timings_ms.pose !== undefined) {
    lines.push(
      `  poses (${r.poses.length}, ${r.timings_ms.pose} ms): ${r.poses.map((p) => `${(p.score * 100).toFixed(0)}% ${b(p.box)} ${p.keypoints.filter((k) => k.score >= KEYPOINT_MIN).length}/${p.keypoints.length} keypoints visible`).join(', ') || 'none'}`,
    );
  }
  return lines.join('\n');
}
