import type { ChildProcess } from 'node:child_process';
import type { PassThrough } from 'node:stream';
import type { FfmpegCommand } from 'fluent-ffmpeg';
import type { CameraConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { parseCameraUrl, type CameraUrl } from './camera-url.js';
import { buildDecodeCommand } from './decode-command.js';
import { explainFfmpegError, lastErrorLine } from './explain-ffmpeg-error.js';
import { canRun } from './ffmpeg-path.js';
import { FpsMeter } from './fps-meter.js';
import type { CameraStatus, Frame } from './frame.js';
import { FrameCutter } from './frame-cutter.js';
import { FrameSlot } from './frame-slot.js';

const STREAM_ENDED = 'the stream ended: the camera or server closed it';
const INVALID_DATA = /Invalid data found when processing input/i;
import { terminate } from './stop-process.js';

export interface CameraSourceOptions {
  name: string;
  camera: CameraConfig;
  ffmpegPath: string;
  logger: Logger;
  /** Called when connected, lastError or reconnects change; never per frame. */
  onStatus?: (s: CameraStatus) => void;
  /** Delay before a restart: doubles from initialMs to maxMs, back to initialMs once frames flow. */
  backoff?: { initialMs: number; maxMs: number };
}

/** One ffmpeg process and what belongs to it alone. */
interface Run {
  command: FfmpegCommand;
  child?: ChildProcess;
  cutter: FrameCutter;
  stderr: string[];
  startedAt: number;
  lastFrameAt?: number;
  /** Set once we decided to end this run; its process is then unwanted. */
  ended: boolean;
  /** Resolves when fluent-ffmpeg reports the process gone (exit, or failure to spawn). */
  exited: Promise<void>;
}

const STDERR_LINES = 30;

/**
 * One camera: an ffmpeg child decoding the stream to RGB frames at the detect size, restarted
 * with exponential backoff whenever it fails or stalls, forever. Nothing it does throws into the
 * caller's event loop: a broken camera shows up in `status()` and the log, never as a crash.
 */
/** How often the same failure of a camera that stays down is said again at warning level. */
const REPEAT_WARNING_MS = 3_600_000;

export class CameraSource {
  readonly frames = new FrameSlot();
  readonly #o: CameraSourceOptions;
  readonly #url: CameraUrl;
  readonly #log: Logger;
  readonly #fps = new FpsMeter();
  readonly #backoff: { initialMs: number; maxMs: number };
  #delayMs: number;
  #run: Run | undefined;
  #running = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #stallTimer: NodeJS.Timeout | undefined;
  readonly #stopping = new Set<Promise<void>>();
  #latest: Frame | undefined;
  #seq = 0;
  #connected = false;
  #received = 0;
  #reconnects = 0;
  #lastError: string | null = null;
  /** The failure last said at warning level, and when: the same one again is said once an hour (a dead camera retries every 30 s, for months). */
  #warned: { reason: string; at: number } | null = null;

  constructor(o: CameraSourceOptions) {
    this.#o = o;
    this.#url = parseCameraUrl(o.camera.url);
    this.#log = o.logger.child({ camera: o.name });
    this.#backoff = o.backoff ?? { initialMs: 1000, maxMs: 30_000 };
    this.#delayMs = this.#backoff.initialMs;
  }

  /** The newest frame seen, whether or not a consumer took it (for snapshots and live view). */
  latest(): Frame | undefined {
    return this.#latest;
  }

  status(): CameraStatus {
    const { width, height } = this.#o.camera.detect;
    return {
      name: this.#o.name,
      enabled: this.#o.camera.enabled,
      connected: this.#connected,
      fps: Math.round(this.#fps.rate(Date.now()) * 100) / 100,
      framesReceived: this.#received,
      framesDropped: this.frames.dropped,
      reconnects: this.#reconnects,
      lastError: this.#lastError,
      lastFrameTime: this.#latest?.time ?? null,
      width,
      height,
    };
  }

  start(): void {
    if (this.#running || !this.#o.camera.enabled) return;
    this.#running = true;
    this.#trySpawn();
    const stallMs = this.#o.camera.stall_timeout * 1000;
    this.#stallTimer = setInterval(() => this.#checkStall(stallMs), Math.min(1000, stallMs / 4));
  }

  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#restartTimer);
    clearInterval(this.#stallTimer);
    const run = this.#run;
    this.#run = undefined;
    if (run) this.#end(run);
    await Promise.all(this.#stopping);
    this.#fps.reset();
    if (this.#connected) {
      this.#connected = false;
      this.#emitStatus();
    }
  }

  /** Spawning runs from timers: a throw there would end the process, so it becomes a failure. */
  #trySpawn(): void {
    try {
      this.#spawn();
    } catch (err) {
      this.#fail(this.#run, this.#url.redact(`could not start ffmpeg: ${(err as Error).message}`));
    }
  }

  #spawn(): void {
    if (!canRun(this.#o.ffmpegPath)) throw new Error(`${this.#o.ffmpegPath} is not an executable file`);
    const command = buildDecodeCommand(this.#url, this.#o.camera, this.#o.ffmpegPath);
    const { width, height } = this.#o.camera.detect;
    let markExited!: () => void;
    const exited = new Promise<void>((r) => (markExited = r));
    const run: Run = { command, cutter: new FrameCutter(width * height * 3), stderr: [], startedAt: Date.now(), ended: false, exited };
    this.#run = run;
    command
      .on('start', (line: string) => {
        // fluent-ffmpeg keeps the child on the command; we need it to stop it ourselves.
        run.child = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
        this.#log.debug({ command: this.#url.redact(line) }, 'ffmpeg started');
        if (run.ended && run.child) void terminate(run.child, exited); // stopped while spawning
      })
      .on('stderr', (line: string) => {
        run.stderr.push(line);
        if (run.stderr.length > STDERR_LINES) run.stderr.shift();
        this.#log.trace({ ffmpeg: this.#url.redact(line) }, 'ffmpeg says');
      })
      .on('error', (err: Error) => {
        markExited();
        this.#onRunEnd(run, err);
      })
      .on('end', () => {
        markExited();
        this.#onRunEnd(run, undefined);
      });
    const out = command.pipe() as PassThrough;
    out.on('data', (chunk: Buffer) => this.#onData(run, chunk));
    out.on('error', (err) => this.#onRunEnd(run, err));
  }

  #onData(run: Run, chunk: Buffer): void {
    if (run !== this.#run) return;
    const now = Date.now();
    const { width, height } = this.#o.camera.detect;
    for (const data of run.cutter.push(chunk)) {
      const frame: Frame = { camera: this.#o.name, width, height, data, time: now, seq: ++this.#seq };
      run.lastFrameAt = now;
      this.#received++;
      this.#fps.tick(now);
      this.#latest = frame;
      this.frames.put(frame);
      if (!this.#connected) this.#onConnected();
    }
  }

  #onConnected(): void {
    this.#connected = true;
    this.#lastError = null;
    this.#warned = null;
    this.#delayMs = this.#backoff.initialMs;
    this.#log.info('connected');
    this.#emitStatus();
  }

  #onRunEnd(run: Run, err: Error | undefined): void {
    if (run !== this.#run) return; // already failed (stall) or stopped
    // Invalid data after frames flowed is a stream cut off mid-frame (a camera unplugged), not a
    // URL that was never video: said so, it sent a user checking a URL that was fine.
    const cut = run.lastFrameAt !== undefined && run.stderr.some((l) => INVALID_DATA.test(l));
    // A clean exit's last stderr lines are warnings from before the end, not its cause.
    const reason = cut
      ? STREAM_ENDED
      : (explainFfmpegError(run.stderr, this.#url) ?? (err ? (lastErrorLine(run.stderr, this.#url) ?? this.#url.redact(err.message)) : STREAM_ENDED));
    this.#fail(run, reason);
  }

  #checkStall(stallMs: number): void {
    const run = this.#run;
    if (!run) return;
    const now = Date.now();
    const since = run.lastFrameAt ?? run.startedAt;
    // The first frame waits on the connection, the stream's setup and a keyframe, and at Argus'
    // start on a machine busy loading models: healthy cameras were reported failed at every start.
    const limit = run.lastFrameAt ? stallMs : 2 * stallMs;
    if (now - since < limit) return;
    const seconds = Math.round(limit / 100) / 10;
    const known = explainFfmpegError(run.stderr, this.#url);
    const reason =
      known ?? (run.lastFrameAt ? `no frame for ${seconds} s: the stream stalled` : `no frame within ${seconds} s of connecting: the camera did not answer or sent no video`);
    this.#fail(run, reason);
  }

  #fail(run: Run | undefined, reason: string): void {
    this.#run = undefined;
    this.#connected = false;
    this.#fps.reset();
    this.#lastError = reason;
    if (run) this.#end(run);
    if (this.#running) {
      const delay = this.#delayMs;
      this.#delayMs = Math.min(this.#delayMs * 2, this.#backoff.maxMs);
      const now = Date.now();
      if (this.#warned?.reason === reason && now - this.#warned.at < REPEAT_WARNING_MS) this.#log.debug({ retryInMs: delay }, `stream failed: ${reason}`);
      else {
        const again = this.#warned?.reason === reason ? ' (still; said once an hour)' : '';
        this.#warned = { reason, at: now };
        this.#log.warn({ retryInMs: delay }, `stream failed: ${reason}${again}`);
      }
      this.#restartTimer = setTimeout(() => {
        if (!this.#running) return;
        this.#reconnects++;
        this.#trySpawn();
        this.#emitStatus();
      }, delay);
    }
    this.#emitStatus();
  }

  /** Ends a run's process in the background; stop() waits for every such ending. */
  #end(run: Run): void {
    if (run.ended) return;
    run.ended = true;
    run.cutter.reset();
    const done = (run.child ? terminate(run.child, run.exited) : run.exited).catch((err: unknown) => this.#log.error({ err }, 'could not stop ffmpeg'));
    this.#stopping.add(done);
    void done.finally(() => this.#stopping.delete(done));
  }

  #emitStatus(): void {
    if (!this.#o.onStatus) return;
    try {
      this.#o.onStatus(this.status());
    } catch (err) {
      this.#log.error({ err }, 'status listener failed');
    }
  }
}
