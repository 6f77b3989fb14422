import { z } from 'zod';
import { Schedule } from '../../analyzers/schedule.js';
import { cameraUrlProblem } from '../../config/camera-url-check.js';
import { redactSecrets, urlSecrets } from '../../config/redact.js';
import { probeCamera, type ProbeResult } from '../../sources/probe.js';
import { HttpError } from '../http-error.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface CameraControlDeps {
  /** Argus' own cameras, each with the analyzers its config turns on, and the schedules some of them have. */
  cameras: Record<string, { analyzers: string[]; schedules?: Record<string, readonly string[]> }>;
  /** Milliseconds since the epoch, for whether an analyzer is inside its schedule now (tests pass their own). */
  now?: () => number;
  /** Every analyzer of the list, in order (those a camera's config leaves off are shown as such). */
  analyzers: readonly string[];
  /** Why an analyzer's options leave it idle on every camera (the object analyzer without labels), by name. */
  idle?: Record<string, string>;
  /** The pause state HA's "Pause detection" switch shows (HomeAssistantMqtt): one state, published on MQTT. */
  pause: { isPaused(camera: string): boolean; setPaused(camera: string, paused: boolean): void };
  /** Analyzers switched off from here (AnalyzerSwitchStore). */
  switches: { isOff(camera: string, analyzer: string): boolean; set(camera: string, analyzer: string, on: boolean): void };
  /** `argus test-camera`'s core; tests may hand in another. */
  probe?: (url: string, opts: { inputArgs?: string[]; timeoutMs: number }) => Promise<ProbeResult>;
  ffmpegPath: string;
}

const nameParams = z.object({ name: z.string().min(1).max(64) });
const detectionBody = z
  .object({
    paused: z.boolean().optional(),
    /** Analyzer name → on. */
    analyzers: z.record(z.string().max(64), z.boolean()).optional(),
  })
  .strict();
/** Network cameras only: a file path would let the API read the host's files through ffmpeg. */
const NETWORK_URL = /^(rtsps?|rtmps?|https?):\/\/[^\s]+$/i;
const testBody = z
  .object({
    url: z
      .string()
      .max(2048)
      .superRefine((url, ctx) => {
        // as `argus test-camera` says it: "rtps" is no scheme (did you mean "rtsp"?), no host
        const problem = cameraUrlProblem(url);
        if (problem) ctx.addIssue({ code: 'custom', message: `expected ${problem}` });
        else if (!NETWORK_URL.test(url)) ctx.addIssue({ code: 'custom', message: 'an rtsp://, rtsps://, rtmp:// or http(s):// camera URL (a file path is not tested from here)' });
      }),
    /** RTSP over TCP or UDP (ffmpeg's `-rtsp_transport`); free ffmpeg options are not taken from the network. */
    transport: z.enum(['tcp', 'udp']).optional(),
    timeout_s: z.number().min(1).max(30).default(10),
  })
  .strict();
/** Each test is an ffmpeg child: a few at once at most. */
const MAX_TESTS = 2;

/**
 * `/api/cameras…` beside the live views: a camera's detection state (paused, its analyzers
 * switched on or off) read and changed, and `POST /api/cameras/test`, `argus test-camera` for a
 * URL. A URL's password is never echoed, logged or kept.
 */
export const cameraControlRoutes: ApiPlugin<CameraControlDeps> = async (app, deps) => {
  const { cameras, analyzers, pause, switches } = deps;
  const probe = deps.probe ?? ((url, opts) => probeCamera(url, { ...opts, ffmpegPath: deps.ffmpegPath }));
  let testing = 0;

  const find = (name: string) => {
    const camera = cameras[name];
    if (!camera) throw new HttpError(404, 'camera_not_found', `no camera named "${name}"`);
    return camera;
  };
  const state = (name: string) => {
    const camera = find(name);
    const now = (deps.now ?? Date.now)();
    return {
      camera: name,
      paused: pause.isPaused(name),
      analyzers: analyzers.map((a) => {
        const configured = camera.analyzers.includes(a);
        // on, but asleep outside its schedule: the page says so (a camera that "does nothing" at night)
        const schedule = camera.schedules?.[a] ?? [];
        // why one is off: its options leave it nothing to do, or this camera's config turns it off
        const off_reason = configured ? null : (deps.idle?.[a] ?? 'off in the config');
        return { name: a, configured, off_reason, on: configured && !switches.isOff(name, a), schedule, in_schedule: new Schedule(schedule).isActive(now) };
      }),
    };
  };

  app.get('/:name/detection', { schema: { params: nameParams } }, async (req) => state(req.params.name));

  app.put('/:name/detection', { schema: { params: nameParams, body: detectionBody } }, async (req) => {
    const { name } = req.params;
    const camera = find(name);
    const wanted = Object.entries(req.body.analyzers ?? {});
    // Checked before anything changes: a bad request changes nothing.
    for (const [a, on] of wanted) {
      if (!analyzers.includes(a)) throw new HttpError(400, 'unknown_analyzer', `no analyzer named "${a}"; known: ${analyzers.join(', ')}`);
      if (on && !camera.analyzers.includes(a)) {
        throw new HttpError(409, 'analyzer_off_in_config', `${a} is off for ${name} in the configuration (cameras.${name}.analyzers.${a}.enabled): turn it on there`);
      }
    }
    for (const [a, on] of wanted) if (camera.analyzers.includes(a)) switches.set(name, a, on);
    if (req.body.paused !== undefined) pause.setPaused(name, req.body.paused);
    return state(name);
  });

  app.post('/test', { schema: { body: testBody } }, async (req) => {
    if (testing >= MAX_TESTS) throw new HttpError(503, 'busy', `${testing} camera tests are running; try again when one ends`, undefined, { 'retry-after': '5' });
    const { url, transport, timeout_s } = req.body;
    testing++;
    try {
      const result = await probe(url, { inputArgs: transport ? ['-rtsp_transport', transport] : undefined, timeoutMs: timeout_s * 1000 });
      return { url: redactSecrets(url, urlSecrets(url)), ...result };
    } finally {
      testing--;
    }
  });
};
