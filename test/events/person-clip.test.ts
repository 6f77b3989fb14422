import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import { cameraMasksSchema, cameraZonesSchema } from '../../src/events/config.js';
import type { EventMessage } from '../../src/events/event.js';
import type { CameraAreasConfig } from '../../src/events/zones.js';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsDir } from '../../src/models/manifest.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { httpApp } from '../../src/server/app.js';
import { eventRoutes } from '../../src/server/routes/events.js';
import type { Frame } from '../../src/sources/frame.js';
import { runFfmpeg } from '../helpers/clip-colours.js';
import { eventHarness, T0 } from './event-harness.js';

const PEOPLE = join(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures', 'people');
const haveFixtures = existsSync(join(PEOPLE, 'background.jpg')) && existsSync(join(PEOPLE, 'ai-body.jpg'));
const haveModels = existsSync(join(defaultModelsDir(), 'manifest.json')) && existsSync(join(defaultModelsDir(), 'centernet.onnx'));
const skipReason = !haveFixtures ? `fixtures absent at ${PEOPLE}` : !haveModels ? 'models not built; run "argus models build"' : 'runs';

const W = 640;
const H = 360;
const FPS = 4;
const SECONDS = 11;

/**
 * An empty landscape (background.jpg) that a person (ai-body.jpg, its light backdrop keyed out)
 * walks across from left to right: in from about 2.5 s, gone by about 7 s, then 4 s of nobody.
 */
async function walkInClip(path: string): Promise<void> {
  await runFfmpeg([
    '-loop',
    '1',
    '-i',
    join(PEOPLE, 'background.jpg'),
    '-loop',
    '1',
    '-i',
    join(PEOPLE, 'ai-body.jpg'),
    '-filter_complex',
    `[0]scale=${W}:${H}:force_original_aspect_ratio=increase,crop=${W}:${H}[bg];[1]scale=-2:260,colorkey=0xF2F2F2:0.12:0.05[p];` +
      `[bg][p]overlay=x='-260+(t-1)*150':y=95:shortest=1,format=yuv420p[out]`,
    '-map',
    '[out]',
    '-t',
    String(SECONDS),
    '-r',
    String(FPS),
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-y',
    path,
  ]);
}

interface Analyzed {
  frame: Frame;
  detections: Detection[];
}

describe.skipIf(!haveFixtures || !haveModels)(`person events on a clip with the real CenterNet (${skipReason})`, () => {
  const analyzed: Analyzed[] = [];
  let detector: Detector | undefined;
  const opened: Array<{ close(): void }> = [];

  beforeAll(async () => {
    const clip = join(mkdtempSync(join(tmpdir(), 'argus-walk-')), 'walk.mp4');
    await walkInClip(clip);
    const raw = await runFfmpeg(['-i', clip, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-']);
    detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['objects'] });
    const size = W * H * 3;
    for (let i = 0; (i + 1) * size <= raw.length; i++) {
      const data = Buffer.from(raw.subarray(i * size, (i + 1) * size));
      const frame: Frame = { camera: 'garden', width: W, height: H, data, time: (T0 + i / FPS) * 1000, seq: i };
      // Stands in for the analyzers: persons only.
      const detections = (await detector.detectObjects({ width: W, height: H, data }))
        .filter((o) => o.label === 'person')
        .map((o): Detection => ({ kind: 'person', label: o.label, score: o.score, box: o.box }));
      analyzed.push({ frame, detections });
    }
  }, 120_000);
  afterAll(async () => {
    for (const db of opened) db.close();
    await detector?.close();
  });

  /** Plays the analyzed clip through a fresh EventManager with these zones and masks. */
  async function play(areas: CameraAreasConfig = {}) {
    const h = eventHarness({ cameras: { garden: areas } });
    h.manager.start();
    for (const a of analyzed) {
      h.clock.now = a.frame.time / 1000;
      h.manager.handle({ camera: 'garden', ...a });
    }
    await h.manager.flush();
    const messages = [...h.messages];
    await h.manager.stop();
    opened.push(h.db);
    return { h, messages };
  }

  const when = (m: EventMessage, key: 'start_time' | 'end_time') => (m.event[key] ?? NaN) - T0;

  it('sees the person in the middle of the clip and nobody at its ends', () => {
    expect(analyzed.length).toBeGreaterThanOrEqual(SECONDS * FPS - 1);
    expect(analyzed[0].detections).toEqual([]);
    expect(analyzed.at(-1)!.detections).toEqual([]);
    expect(analyzed[Math.round(4.5 * FPS)].detections.length).toBe(1);
  });

  it('starts one person event when the person walks in and ends it after they leave', async () => {
    const { h, messages } = await play();
    const types = messages.map((m) => m.type);
    expect(types[0]).toBe('start');
    // Ended by the clip itself (end_after 2 s, 4 s of nobody), not by stop().
    expect(types.filter((t) => t === 'end')).toHaveLength(1);
    expect(types.at(-1)).toBe('end');
    expect(new Set(messages.map((m) => m.event.id)).size).toBe(1);
    const [start, end] = [messages[0], messages.at(-1)!];
    expect(start.event).toMatchObject({ camera: 'garden', kind: 'person', label: 'person', end_time: null });
    expect(when(start, 'start_time')).toBeGreaterThan(1.5);
    expect(when(start, 'start_time')).toBeLessThan(3.5);
    expect(when(end, 'end_time')).toBeGreaterThan(5.5);
    expect(when(end, 'end_time')).toBeLessThan(7.5);
    expect(end.event.top_score).toBeGreaterThan(0.7);
    const stored = h.store.get(start.event.id)!;
    expect(stored.end_time).toBe(end.event.end_time);
    const jpeg = readFileSync(h.snapshots.pathOf(stored.id, 'snapshot.jpg')!);
    expect(await sharp(jpeg).metadata()).toMatchObject({ format: 'jpeg', width: W, height: H });
    const crop = await sharp(readFileSync(h.snapshots.pathOf(stored.id, 'crop.jpg')!)).metadata();
    expect(crop.height).toBeGreaterThan(200);
    expect(crop.width).toBeLessThan(300);

    // The API finds it, and the event's `snapshot` path resolves against the API root.
    const app = httpApp(silentLogger());
    await app.register(eventRoutes, { prefix: '/api/events', store: h.store, snapshots: h.snapshots, kinds: new EventKinds(ANALYZERS).names });
    const list = (await app.inject({ url: '/api/events?camera=garden&label=person' })).json();
    expect(list.events.map((e: { id: string }) => e.id)).toEqual([stored.id]);
    const shot = await app.inject({ url: `/api/${end.event.snapshot}` });
    expect(shot.statusCode).toBe(200);
    expect(shot.rawPayload.equals(jpeg)).toBe(true);
    await app.close();
  });

  it('reports the zone the person walks into', async () => {
    const { messages } = await play({ zones: cameraZonesSchema.parse({ lawn_east: { coordinates: `320,0,${W},0,${W},${H},320,${H}` } }) });
    expect(messages[0].event.zones).toEqual([]);
    const entered = messages.find((m) => m.type === 'update' && m.event.zones.includes('lawn_east'));
    expect(entered?.event.current_zones).toEqual(['lawn_east']);
    expect(messages.at(-1)!.event.zones).toEqual(['lawn_east']);
  });

  it('fires later under a mask over the left half', async () => {
    const plain = await play();
    const masked = await play({ masks: cameraMasksSchema.parse(`0,0,320,0,320,${H},0,${H}`) });
    const start = masked.messages[0];
    expect(start.type).toBe('start');
    expect(when(start, 'start_time')).toBeGreaterThan(when(plain.messages[0], 'start_time') + 1);
    expect((start.event.box[0] + start.event.box[2]) / 2).toBeGreaterThan(320);
  });

  it('never reports a zone that counts other objects only', async () => {
    const { messages } = await play({ zones: cameraZonesSchema.parse({ drive: { coordinates: `0,0,${W},0,${W},${H},0,${H}`, objects: ['car'] } }) });
    expect(messages.length).toBeGreaterThan(1);
    expect(messages.every((m) => m.event.zones.length === 0)).toBe(true);
  });
});
