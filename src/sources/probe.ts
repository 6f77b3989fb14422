import ffmpeg from 'fluent-ffmpeg';
import type { ChildProcess } from 'node:child_process';
import { parseCameraUrl } from './camera-url.js';
import { explainFfmpegError, lastErrorLine } from './explain-ffmpeg-error.js';
import { canRun } from './ffmpeg-path.js';
import { terminate } from './stop-process.js';

export type ProbeResult = { ok: true; width: number; height: number; codec: string; fps: number } | { ok: false; reason: string };

/**
 * Connects to a camera once and decodes one frame: what `argus test-camera` reports, so a user
 * can check a URL before adding it. Never throws; every failure is a `reason` in plain words.
 */
export async function probeCamera(url: string, opts: { ffmpegPath: string; inputArgs?: string[]; timeoutMs?: number }): Promise<ProbeResult> {
  const camUrl = parseCameraUrl(url);
  if (!canRun(opts.ffmpegPath)) return { ok: false, reason: `could not start ffmpeg: ${opts.ffmpegPath} is not an executable file` };
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let timedOut = false;
  /** What ffmpeg had said when the time ran out: after the kill, its words are about the kill. */
  let beforeKill = 0;

  const outcome = await new Promise<Error | undefined>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      beforeKill = lines.length;
      if (child) void terminate(child, undefined, 1000);
    }, timeoutMs);
    const finish = (err: Error | undefined): void => {
      clearTimeout(timer);
      resolve(err);
    };
    const command = ffmpeg(camUrl.input)
      .setFfmpegPath(opts.ffmpegPath)
      .inputOptions(['-nostdin', '-hide_banner', ...(opts.inputArgs ?? [])])
      .outputOptions(['-map', '0:v:0', '-frames:v', '1', '-f', 'null'])
      .output('-')
      .on('start', () => {
        child = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      })
      .on('stderr', (line: string) => lines.push(line))
      .on('error', (err: Error) => finish(err))
      .on('end', () => finish(undefined));
    command.run();
  });

  const video = parseVideoLine(lines);
  if (!outcome && video) return { ok: true, ...video };
  if (timedOut) {
    // It answered, with something ffmpeg could not read (garbage, not video): said as `argus run` says it.
    const said = explainFfmpegError(lines.slice(0, beforeKill), camUrl);
    return { ok: false, reason: said ?? `no answer within ${timeoutMs / 1000} s from ${camUrl.target}` };
  }
  const known = explainFfmpegError(lines, camUrl);
  if (known) return { ok: false, reason: known };
  if (!video && !outcome) return { ok: false, reason: 'no video stream: the source sends no video' };
  return { ok: false, reason: lastErrorLine(lines, camUrl) ?? camUrl.redact(outcome?.message ?? 'ffmpeg failed') };
}

/** Reads the input's first video stream line, e.g. "Stream #0:0: Video: h264 (High), yuv420p, 640x360, 29.97 fps". */
export function parseVideoLine(lines: readonly string[]): { width: number; height: number; codec: string; fps: number } | undefined {
  for (const line of lines) {
    if (/^\s*Output #/.test(line)) break; // the output's streams are ours, not the camera's
    const m = /Stream #\d+:\d+.*?: Video: (.*)$/.exec(line);
    if (!m) continue;
    const size = /\b(\d{2,5})x(\d{2,5})\b/.exec(m[1]);
    if (!size) continue;
    const codec = m[1].split(/[\s,]/)[0];
    // An MJPEG stream declares no rate: its "25 tbr" is ffmpeg's default, not the camera's (0: unknown).
    const rate = /([\d.]+) fps/.exec(m[1]) ?? (codec === 'mjpeg' ? null : /([\d.]+) tbr/.exec(m[1]));
    return {
      width: Number(size[1]),
      height: Number(size[2]),
      codec,
      fps: rate ? Number(rate[1]) : 0,
    };
  }
  return undefined;
}
