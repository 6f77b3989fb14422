import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import sharp from 'sharp';
import { z } from 'zod';
import { analyzeImage } from '../../models/analyze-image.js';
import { MODEL_FAMILIES, type Detector } from '../../models/detector.js';
import { parseVideoLine } from '../../sources/probe.js';
import { sampleVideo, VIDEO, VIDEO_INPUT } from '../../sources/video-frames.js';
import { HttpError, megabytes } from '../http-error.js';
import { acceptUploads, readUpload } from '../upload.js';
import { budgetedWork } from '../upload-work.js';
import { parseOr400, type ApiPlugin } from '../zod-validation.js';
import { nameFaces, type AnalyzeDeps, type NamedAnalysis } from './analyze.js';

export interface ClipDeps extends Omit<AnalyzeDeps, 'maxUploadBytes'> {
  ffmpegPath: string;
  /** Defaults: 50 MB, 60 s, 60 sampled frames. */
  maxBytes?: number;
  maxSeconds?: number;
  maxFrames?: number;
}

/** One sampled frame of a clip: what was found, and a small picture of it for the timeline. */
export interface ClipFrame extends Omit<NamedAnalysis, 'file'> {
  thumbnail: string;
}

const fields = z.object({ every: z.coerce.number().min(0.1).max(60).default(1) }).strict();
/** Beyond the decoded frame: model inputs, crops, sharp's buffers. */
const OVERHEAD_BYTES = 16 * 1024 * 1024;
const THUMB_WIDTH = 160;
/** Asked for in `Accept`, the answer streams one JSON line per frame as it is analysed. */
const NDJSON = 'application/x-ndjson';

/** ffmpeg's own reading of a file: its duration and first video stream, or why it is not a video. */
export async function clipInfo(ffmpegPath: string, file: string): Promise<{ duration_s: number; width: number; height: number; codec: string; fps: number }> {
  const stderr = await new Promise<string>((resolve, reject) => {
    const ff = spawn(ffmpegPath, ['-hide_banner', '-nostdin', ...VIDEO_INPUT, '-i', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    ff.stderr.on('data', (d: Buffer) => {
      if (text.length < 64 * 1024) text += d.toString();
    });
    ff.on('error', reject);
    ff.on('close', () => resolve(text)); // ffmpeg exits 1 without an output: the header is what we want
  });
  const lines = stderr.split('\n');
  const video = parseVideoLine(lines);
  const d = /Duration: (\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(stderr);
  if (!video || !d) throw new HttpError(415, 'not_a_video', 'the file is not a video ffmpeg can read (MP4, MKV, MOV, WebM…)');
  return { duration_s: Number(d[1]) * 3600 + Number(d[2]) * 60 + Number(d[3]), ...video };
}

/**
 * `POST /api/analyze/clip`: a short video in (multipart, field `every` in seconds), one frame
 * sampled every so often as `argus analyze --every` does, each analysed like a photo: a timeline.
 * Bounded three ways: the upload's size, the clip's duration, and the number of frames (`every`
 * is stretched so a clip yields at most `maxFrames`). With `Accept: application/x-ndjson` the
 * frames stream as they are done, so the page can show progress.
 */
export const analyzeClipRoutes: ApiPlugin<ClipDeps> = async (app, deps) => {
  await acceptUploads(app);
  const maxBytes = deps.maxBytes ?? 50 * 1024 * 1024;
  const maxSeconds = deps.maxSeconds ?? 60;
  const maxFrames = deps.maxFrames ?? 60;
  const upload = { kind: 'video', maxBytes, maxFiles: 1 } as const;

  app.post('/', { config: { upload } }, async (req, reply) => {
    const detector = deps.detector();
    if (!detector) throw new HttpError(503, 'models_missing', 'the models are not loaded: run "argus models build" and restart');
    const { files, fields: form } = await readUpload(req);
    const { every: asked } = parseOr400(fields, form, 'form');
    const [file] = files;
    const ext = extname(file.name).toLowerCase();
    const dir = await mkdtemp(join(tmpdir(), 'argus-clip-'));
    const cleanup = () => rm(dir, { recursive: true, force: true });
    const path = join(dir, `clip${VIDEO.has(ext) ? ext : '.mp4'}`);
    let header;
    let run: (onFrame: (frame: ClipFrame) => void) => Promise<ClipFrame[]>;
    try {
      await writeFile(path, file.data);
      const info = await clipInfo(deps.ffmpegPath, path);
      if (info.duration_s > maxSeconds) {
        throw new HttpError(413, 'too_long', `${file.name} lasts ${Math.round(info.duration_s)} s; clips of at most ${maxSeconds} s are analysed (cut it first)`, {
          duration_s: info.duration_s,
          max_s: maxSeconds,
        });
      }
      const every = Math.max(asked, info.duration_s / maxFrames);
      const cost = info.width * info.height * 3 * 2 + OVERHEAD_BYTES;
      const expected = Math.min(maxFrames, Math.max(1, Math.ceil(info.duration_s / every)));
      header = { file: file.name, bytes: file.data.length, max_bytes: megabytes(maxBytes), ...info, every_s: Math.round(every * 1000) / 1000, expected_frames: expected };
      run = (onFrame) => budgetedWork(req, cost, () => analyzeFrames(detector, path, every, maxFrames, deps, onFrame)).finally(cleanup);
    } catch (err) {
      await cleanup();
      throw err;
    }
    const empty = () => new HttpError(415, 'not_a_video', `no frame of ${file.name} could be decoded`);
    if (!req.headers.accept?.includes(NDJSON)) {
      const frames = await run(() => {});
      if (frames.length === 0) throw empty();
      return { ...header, frames };
    }
    // Streamed: a line for the clip, one per frame as it is done (the page's progress), then `done` or `error`.
    const out = new PassThrough();
    const line = (o: object) => out.write(`${JSON.stringify(o)}\n`);
    line({ type: 'clip', ...header });
    run((frame) => line({ type: 'frame', ...frame })).then(
      (frames) => {
        line(frames.length ? { type: 'done', frames: frames.length } : { type: 'error', error: empty().message, code: empty().code });
        out.end();
      },
      (err: Error) => {
        const known = err instanceof HttpError;
        if (!known) req.log.error(err, 'clip analysis failed');
        line({ type: 'error', error: known ? err.message : 'internal error', code: known ? err.code : 'internal' });
        out.end();
      },
    );
    return reply.type(`${NDJSON}; charset=utf-8`).header('cache-control', 'no-store').send(out);
  });
};

async function analyzeFrames(
  detector: Detector,
  path: string,
  every: number,
  maxFrames: number,
  { matchFace, people, weapons }: Pick<AnalyzeDeps, 'matchFace' | 'people' | 'weapons'>,
  onFrame: (frame: ClipFrame) => void,
): Promise<ClipFrame[]> {
  const families = MODEL_FAMILIES.filter((f) => detector.has(f));
  const frames: ClipFrame[] = [];
  // The whole clip is decoded (the generator ends with ffmpeg): the duration check bounds it, the frame cap bounds the answer.
  for await (const img of sampleVideo(path, every)) {
    if (frames.length >= maxFrames) continue;
    const result = await analyzeImage(detector, img, { ...people, file: '', families, embeddings: Boolean(matchFace) });
    const { file: _file, ...named } = nameFaces({ ...result, frame: frames.length, time_s: Math.round(frames.length * every * 1000) / 1000 }, matchFace, weapons);
    const thumb = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
      .resize({ width: THUMB_WIDTH })
      .jpeg({ quality: 70 })
      .toBuffer();
    const frame = { ...named, thumbnail: `data:image/jpeg;base64,${thumb.toString('base64')}` };
    frames.push(frame);
    onFrame(frame);
  }
  return frames;
}
