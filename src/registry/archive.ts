import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { EMBEDDERS } from '../models/face-embedder.js';
import type { FaceSample, NewSample, Person } from '../store/people.js';
import { RegistryError } from './errors.js';
import { gunzipCapped, unpackCap } from './gunzip-capped.js';
import { readTar, writeTar, type TarEntry } from './tar.js';

/**
 * The registry as one `.tar.gz`: `manifest.json` (people, samples, where each sample's embedding
 * sits), `embeddings.f32` (every embedding, little-endian float32, back to back) and
 * `crops/<n>.jpg`. Self-describing, so it can be read back by anything, and checked whole before
 * anything is changed.
 */

const FORMAT = 'argus-face-registry';
const VERSION = 1;
/** An archive unpacks to at most this: far above any household's registry, well below a decompression bomb. */
const MAX_UNPACKED = 1024 * 1024 * 1024;

const sampleSchema = z
  .object({
    model: z.string().min(1),
    /** Offset and length in float32 values within embeddings.f32. */
    offset: z.number().int().min(0),
    dims: z.number().int().min(1).max(8192),
    crop: z.string().nullable(),
    source: z.enum(['photo', 'event', 'import']),
    source_ref: z.string().nullable(),
    box: z.tuple([z.number(), z.number(), z.number(), z.number()]).nullable(),
    created_at: z.number().int(),
  })
  .strict();

const manifestSchema = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(VERSION),
    exported_at: z.string(),
    people: z.array(
      z
        .object({
          /** The registry's id (Home Assistant's person entities are keyed by it); archives before 2026-12-07 have none. */
          id: z.number().int().positive().optional(),
          name: z.string().min(1),
          external_id: z.string().nullable(),
          created_at: z.number().int(),
          updated_at: z.number().int(),
          samples: z.array(sampleSchema),
        })
        .strict(),
    ),
  })
  .strict();

export interface ArchivedPerson {
  /** The id it had, kept on import so its HA entity stays its own; absent in older archives. */
  id?: number;
  name: string;
  externalId: string | null;
  createdAt: number;
  updatedAt: number;
  samples: NewSample[];
}

export function packArchive(people: Person[], samples: Iterable<FaceSample>, now = Date.now()): Buffer {
  const byPerson = new Map<number, FaceSample[]>(people.map((p) => [p.id, []]));
  for (const s of samples) byPerson.get(s.personId)?.push(s);
  const crops: TarEntry[] = [];
  const vectors: Float32Array[] = [];
  let offset = 0;
  const manifest: z.infer<typeof manifestSchema> = {
    format: FORMAT,
    version: VERSION,
    exported_at: new Date(now).toISOString(),
    people: people.map((p) => ({
      id: p.id,
      name: p.name,
      external_id: p.externalId,
      created_at: p.createdAt,
      updated_at: p.updatedAt,
      samples: (byPerson.get(p.id) ?? []).map((s) => {
        const crop = s.crop ? `crops/${crops.length}.jpg` : null;
        if (s.crop && crop) crops.push({ name: crop, data: s.crop });
        vectors.push(s.embedding);
        const entry = { model: s.model, offset, dims: s.embedding.length, crop, source: s.source, source_ref: s.sourceRef, box: s.box, created_at: s.createdAt };
        offset += s.embedding.length;
        return entry;
      }),
    })),
  };
  const floats = new Float32Array(offset);
  let at = 0;
  for (const v of vectors) {
    floats.set(v, at);
    at += v.length;
  }
  const tar = writeTar(
    [
      { name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 1)) },
      { name: 'embeddings.f32', data: Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength) },
      ...crops,
    ],
    now,
  );
  return gzipSync(tar);
}

const bad = (why: string) => new RegistryError('bad_archive', `not a usable face registry archive: ${why}; nothing was changed`);

/** Reads and checks a whole archive; throws `bad_archive` saying what is wrong before anything is changed. */
export async function unpackArchive(archive: Buffer): Promise<ArchivedPerson[]> {
  let files: Map<string, Buffer>;
  try {
    files = readTar(await gunzipCapped(archive, unpackCap(archive.length, MAX_UNPACKED)));
  } catch (err) {
    throw bad(`it is not a gzipped tar file Argus wrote (${err instanceof Error ? err.message : String(err)})`);
  }
  const manifestFile = files.get('manifest.json');
  if (!manifestFile) throw bad('manifest.json is missing');
  let json: unknown;
  try {
    json = JSON.parse(manifestFile.toString('utf8'));
  } catch {
    throw bad('manifest.json is not JSON');
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(`manifest.json ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const blob = files.get('embeddings.f32');
  if (!blob || blob.length % 4 !== 0) throw bad('embeddings.f32 is missing or not whole float32 values');
  const floats = new Float32Array(blob.length / 4);
  new Uint8Array(floats.buffer).set(blob);
  const names = new Set<string>();
  const ids = new Set<number>();
  return parsed.data.people.map((p) => {
    const key = p.name.toLowerCase();
    if (names.has(key)) throw bad(`the name "${p.name}" appears twice`);
    names.add(key);
    if (p.id !== undefined && ids.has(p.id)) throw bad(`the id ${p.id} appears twice`);
    if (p.id !== undefined) ids.add(p.id);
    return {
      ...(p.id === undefined ? {} : { id: p.id }),
      name: p.name,
      externalId: p.external_id,
      createdAt: p.created_at,
      updatedAt: p.updated_at,
      samples: p.samples.map((s) => {
        if (s.offset + s.dims > floats.length) throw bad(`a sample of "${p.name}" points past the end of embeddings.f32`);
        // A sample the index cannot hold would set its size, and every later enrolment would be refused.
        const expected = (EMBEDDERS as Record<string, { dimensions: number } | undefined>)[s.model]?.dimensions;
        if (expected !== undefined && s.dims !== expected) throw bad(`a sample of "${p.name}" has ${s.dims} values; ${s.model} embeddings have ${expected}`);
        const embedding = floats.slice(s.offset, s.offset + s.dims);
        if (!embedding.every(Number.isFinite)) throw bad(`a sample of "${p.name}" holds values that are not numbers`);
        const crop = s.crop === null ? null : files.get(s.crop);
        if (crop === undefined) throw bad(`${s.crop} (a crop of "${p.name}") is missing`);
        // served as image/jpeg: anything else (a page with a script) must not get in
        if (crop && !(crop[0] === 0xff && crop[1] === 0xd8 && crop[2] === 0xff)) throw bad(`${s.crop} (a crop of "${p.name}") is not a JPEG`);
        return {
          model: s.model,
          embedding,
          crop: crop ? Buffer.from(crop) : null,
          source: s.source,
          sourceRef: s.source_ref,
          box: s.box,
          createdAt: s.created_at,
        };
      }),
    };
  });
}
