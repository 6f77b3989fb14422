import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { route } from '../../src/server/app.js';
import { analyzeClipRoutes } from '../../src/server/routes/analyze-clip.js';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';
import { testServer } from '../helpers/web-server.js';

const require = createRequire(import.meta.url);
const PHOTO = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo', 'sample1.jpg');
const TOKEN = 'clip-token-0123456789';

/** A clip of the sample photo (scaled to 480 px once) held still for `seconds`, at 2 fps. */
function clip(dir: string, seconds: number): Buffer {
  const still = join(dir, 'still.png');
  execFileSync(findFfmpeg(), ['-v', 'error', '-i', PHOTO, '-vf', 'scale=480:-2', '-y', still]);
  const out = join(dir, `still-${seconds}.mp4`);
  execFileSync(findFfmpeg(), ['-v', 'error', '-loop', '1', '-i', still, '-t', String(seconds), '-r', '2', '-pix_fmt', 'yuv420p', '-y', out]);
  return readFileSync(out);
}

describe('POST /api/analyze/clip', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-clip-'));
  let detector: Detector;
  const web = testServer({
    token: TOKEN,
    routes: [route(analyzeClipRoutes, '/api/analyze/clip', { detector: () => detector, ffmpegPath: findFfmpeg(), maxSeconds: 5, maxFrames: 4, maxBytes: 2 * 1024 * 1024 })],
  });
  let port = 0;
  const post = async (data: Buffer, name: string, every?: string) => {
    const form = new FormData();
    if (every) form.append('every', every);
    form.append('file', new Blob([new Uint8Array(data)], { type: 'video/mp4' }), name);
    const res = await fetch(`http://127.0.0.1:${port}/api/analyze/clip`, { method: 'POST', body: form, headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'] });
    [port] = await web.start();
  }, 120_000);
  afterAll(async () => {
    await web.stop();
    await detector?.close();
  });

  it('samples a frame every second and finds the people in each, with a thumbnail for the timeline', async () => {
    const res = await post(clip(dir, 3), 'still.mp4', '1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ file: 'still.mp4', width: 480, every_s: 1 });
    expect(res.body.duration_s).toBeCloseTo(3, 0);
    expect(res.body.frames.map((f: { time_s: number }) => f.time_s)).toEqual([0, 1, 2]);
    for (const f of res.body.frames) {
      expect(f.objects.filter((o: { label: string }) => o.label === 'person').length).toBeGreaterThan(0);
      expect(f.thumbnail).toMatch(/^data:image\/jpeg;base64,/);
    }
  });

  it('streams one line per frame as it is analysed when asked for NDJSON, then done', async () => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(clip(dir, 2))], { type: 'video/mp4' }), 'two.mp4');
    const res = await fetch(`http://127.0.0.1:${port}/api/analyze/clip`, {
      method: 'POST',
      body: form,
      headers: { authorization: `Bearer ${TOKEN}`, accept: 'application/x-ndjson' },
    });
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['clip', 'frame', 'frame', 'done']);
    expect(lines[0]).toMatchObject({ file: 'two.mp4', every_s: 1, expected_frames: 2 });
    expect(lines[2].time_s).toBe(1);
    expect(lines[3].frames).toBe(2);
  });

  it('stretches the interval so a clip gives at most maxFrames frames', async () => {
    const res = await post(clip(dir, 4), 'four.mp4', '0.5');
    expect(res.status).toBe(200);
    expect(res.body.every_s).toBeCloseTo(1, 1);
    expect(res.body.frames.length).toBeLessThanOrEqual(4);
  });

  it('refuses a clip over the duration limit, over the size limit, and a file that is not a video', async () => {
    const long = await post(clip(dir, 7), 'long.mp4');
    expect(long.status).toBe(413);
    expect(long.body).toMatchObject({ code: 'too_long', max_s: 5 });
    expect(long.body.error).toMatch(/long\.mp4 lasts 7 s; clips of at most 5 s/);
    const big = await post(Buffer.alloc(2 * 1024 * 1024 + 1), 'big.mp4');
    expect(big.status).toBe(413);
    expect(big.body.error).toMatch(/video is larger than the 2 MB limit/);
    const text = await post(Buffer.from('hello, not a video'), 'notes.mp4');
    expect(text.status).toBe(415);
    expect(text.body.code).toBe('not_a_video');
    const every = await post(clip(dir, 1), 'a.mp4', 'often');
    expect(every.status).toBe(400);
  });

  it('reads only the uploaded bytes: a playlist named .mp4 that points at a video on this machine is not a video', async () => {
    const there = join(dir, 'someone-elses.mp4');
    writeFileSync(there, clip(dir, 2));
    const playlists = {
      'dash.mp4': `<?xml version="1.0"?><MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT1S"><Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000" width="480" height="360" codecs="avc1.42c01e"><BaseURL>file://${there}</BaseURL></Representation></AdaptationSet></Period></MPD>`,
      'hls.mp4': `#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile://${there}\n#EXT-X-ENDLIST\n`,
      'concat.mp4': `ffconcat version 1.0\nfile '${there}'\n`,
    };
    for (const [name, text] of Object.entries(playlists)) {
      const res = await post(Buffer.from(text), name);
      expect(res.status, name).toBe(415);
      expect(res.body.code, name).toBe('not_a_video');
    }
    // the file itself, uploaded, is a video
    expect((await post(readFileSync(there), 'mine.mp4')).status).toBe(200);
  });
});
