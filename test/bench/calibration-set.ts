/**
 * The faces calibration set: every photo of ../shared/datasets/faces-lfw12 (12 people) plus the
 * labelled fixture faces (faces/known and faces/probe), each face detected by BlazeFace and
 * embedded by FaceRes. Embeddings are cached in .cache/faces-calibration/ (gitignored), keyed by
 * the embedder, so reruns take a second instead of minutes. The photos are only read, never copied.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { yawOf } from '../../src/analyzers/faces/yaw.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';
import { FACES, FIXTURES, PROBE_PEOPLE } from '../registry/probe-faces.js';

export const LFW12 = join(FIXTURES, '..', 'datasets', 'faces-lfw12');
const CACHE = join(import.meta.dirname, '..', '..', '.cache', 'faces-calibration');

export interface CalibrationFace {
  person: string;
  /** `lfw/<person>/<file>` or `fixtures/<known|probe>/…[#index]`. */
  source: string;
  /** Face width in the photo's pixels. */
  width: number;
  /** Degrees, from the landmarks (src/analyzers/faces/yaw.ts). */
  yaw: number;
  embedding: Float32Array;
}

/** The LFW crops are tight: BlazeFace wants context around a face, so the photo is padded by half its size. */
async function padded(path: string): Promise<RgbImage> {
  const meta = await sharp(path).metadata();
  const pad = Math.round(Math.max(meta.width ?? 100, meta.height ?? 100) / 2);
  const buf = await sharp(path)
    .removeAlpha()
    .extend({ top: pad, bottom: pad, left: pad, right: pad, background: { r: 0, g: 0, b: 0 } })
    .png()
    .toBuffer();
  return loadImage(buf);
}

interface Photo {
  path: string;
  source: string;
  people: string[];
  pad: boolean;
}

function photos(): Photo[] {
  const out: Photo[] = [];
  for (const person of readdirSync(LFW12)
    .filter((p) => !p.includes('.'))
    .sort()) {
    for (const f of readdirSync(join(LFW12, person)).sort()) out.push({ path: join(LFW12, person, f), source: `lfw/${person}/${f}`, people: [person], pad: true });
  }
  for (const person of readdirSync(join(FACES, 'known')).sort()) {
    for (const f of readdirSync(join(FACES, 'known', person)).sort()) {
      out.push({ path: join(FACES, 'known', person, f), source: `fixtures/known/${person}/${f}`, people: [person], pad: false });
    }
  }
  for (const [f, people] of Object.entries(PROBE_PEOPLE)) out.push({ path: join(FACES, 'probe', f), source: `fixtures/probe/${f}`, people, pad: false });
  return out;
}

function readCache(file: string): CalibrationFace[] | null {
  if (!existsSync(`${file}.json`) || !existsSync(`${file}.f32`)) return null;
  const meta = JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { dims: number; faces: Omit<CalibrationFace, 'embedding'>[] };
  const raw = readFileSync(`${file}.f32`);
  const all = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return meta.faces.map((f, i) => ({ ...f, embedding: all.slice(i * meta.dims, (i + 1) * meta.dims) }));
}

/** The calibration faces, from the cache when there is one; `onProgress` sees photos done of all. */
export async function calibrationFaces(onProgress?: (done: number, all: number) => void): Promise<{ faces: CalibrationFace[]; missed: string[] }> {
  const file = join(CACHE, 'faceres');
  const cached = readCache(file);
  if (cached) return { faces: cached, missed: JSON.parse(readFileSync(`${file}.missed.json`, 'utf8')) as string[] };
  const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['faces'] });
  const faces: CalibrationFace[] = [];
  const missed: string[] = [];
  const list = photos();
  for (const [n, p] of list.entries()) {
    const img = p.pad ? await padded(p.path) : await loadImage(p.path);
    // the most confident faces, as many as the photo has people, then left to right (as the probe labels are)
    const found = (await detector.detectFaces(img)).slice(0, p.people.length).sort((a, b) => a.box[0] - b.box[0]);
    if (found.length < p.people.length) missed.push(p.source);
    else {
      for (const [i, face] of found.entries()) {
        const source = p.people.length > 1 ? `${p.source}#${i}` : p.source;
        faces.push({ person: p.people[i], source, width: face.box[2] - face.box[0], yaw: yawOf(face.landmarks), embedding: await detector.embedFace(img, face) });
      }
    }
    onProgress?.(n + 1, list.length);
  }
  mkdirSync(CACHE, { recursive: true });
  const dims = faces[0]?.embedding.length ?? 0;
  const all = new Float32Array(faces.length * dims);
  for (const [i, f] of faces.entries()) all.set(f.embedding, i * dims);
  writeFileSync(`${file}.f32`, Buffer.from(all.buffer));
  writeFileSync(`${file}.json`, JSON.stringify({ dims, faces: faces.map(({ embedding: _, ...rest }) => rest) }));
  writeFileSync(`${file}.missed.json`, JSON.stringify(missed));
  return { faces, missed };
}
