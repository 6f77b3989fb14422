import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalyzerModels, FrameContext } from '../../src/analyzers/analyzer.js';
import { proctorSchema } from '../../src/analyzers/proctor/config.js';
import { proctorAnalyzer } from '../../src/analyzers/proctor/index.js';
import { ProctorSessions } from '../../src/analyzers/proctor/sessions.js';
import { ProctorTraining } from '../../src/analyzers/proctor/training.js';
import { silentLogger } from '../../src/log.js';
import type { ObjectDetection } from '../../src/models/detection.js';
import { httpApp } from '../../src/server/app.js';
import { proctorRoutes } from '../../src/server/routes/proctor.js';
import { openDatabase } from '../../src/store/database.js';
import { ProctorSampleStore } from '../../src/store/proctor-samples.js';
import { loadImage, type RgbImage } from '../../src/vision/image.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BACKGROUND = join(import.meta.dirname, '../../../shared/fixtures/people/background.jpg');

type Frame = RgbImage & { time: number };
function setup(name: string, latest: () => Frame | undefined = () => undefined) {
  const store = new ProctorSampleStore(openDatabase(join(dir, `${name}.db`)));
  const training = new ProctorTraining(store, latest);
  const app = httpApp(silentLogger());
  void app.register(proctorRoutes, { prefix: '/api/proctor', sessions: new ProctorSessions(), cameras: ['exam', 'door'], proctored: ['exam'], training });
  return { store, training, app };
}

/** Two clouds far apart: 10 normal around 0.3 and 10 suspicious around 0.8, interleaved as a proctor would label them. */
function twoClouds(store: ProctorSampleStore, n = 10): void {
  for (let i = 0; i < n; i++) {
    for (const [label, v] of [
      ['normal', 0.3],
      ['suspicious', 0.8],
    ] as const) {
      store.add({ camera: 'exam', seat: 'A1', time: i, features: Array.from({ length: 18 }, (_, j) => v + ((i + j) % 3) * 0.01), label });
    }
  }
}

describe('proctor training over REST', () => {
  it('trains k by 10-fold CV on the labelled samples, saves the classifier and hands it to the live hook', async () => {
    const { store, training, app } = setup('train');
    twoClouds(store);
    store.add({ camera: 'exam', seat: 'A1', time: 99, features: Array.from({ length: 18 }, () => 5), label: null });
    const r = await app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } });
    expect(r.statusCode).toBe(200);
    const report = r.json();
    expect(report).toMatchObject({
      k: 3,
      samples: 20,
      counts: { normal: 10, suspicious: 10 },
      accuracy: 1,
      labels: ['normal', 'suspicious'],
      confusion: [
        [10, 0],
        [0, 10],
      ],
    });
    // a training fold holds 18 samples: k 3…17
    expect(report.per_k.map((p: { k: number }) => p.k)).toEqual([3, 5, 7, 9, 11, 13, 15, 17]);
    expect(training.classifier('exam')).toMatchObject({ k: 3 });
    expect(training.classifier('exam')?.samples).toHaveLength(20);
    expect(store.classifier('exam')?.k).toBe(3);
    expect((await app.inject({ url: '/api/proctor/classifiers/exam' })).json()).toMatchObject({ k: 3, samples: 20 });
  });

  it('refuses training with too few samples or one label, and an unknown camera', async () => {
    const { store, app } = setup('few');
    for (let i = 0; i < 12; i++) store.add({ camera: 'exam', seat: 'A1', time: i, features: Array.from({ length: 18 }, () => i), label: 'normal' });
    const oneLabel = await app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } });
    expect(oneLabel.json().error).toBe('training needs at least 10 labelled samples in all, with at least 2 of each label; camera "exam" has 12 normal and 0 suspicious');
    // one suspicious sample is still too few: 3 nearest neighbours could never vote for it
    store.add({ camera: 'exam', seat: 'A1', time: 99, features: Array.from({ length: 18 }, () => 99), label: 'suspicious' });
    const cases: Array<[object, number, string]> = [
      [{ camera: 'exam' }, 409, 'too_few_samples'],
      [{ camera: 'door' }, 404, 'camera_not_found'],
      [{ camera: 'exam', k: 3 }, 400, 'bad_request'],
    ];
    for (const [body, status, code] of cases) {
      const r = await app.inject({ method: 'POST', url: '/api/proctor/train', payload: body });
      expect([r.statusCode, r.json().code]).toEqual([status, code]);
    }
  });

  it('says how many suspicious samples cross-validation found, and will not save a classifier that never finds one', async () => {
    const { store, app, training } = setup('never');
    for (let i = 0; i < 26; i++) store.add({ camera: 'exam', seat: 'A1', time: i, features: Array.from({ length: 18 }, () => i / 100), label: 'normal' });
    // two suspicious samples far from each other: each one's 3 nearest are mostly normal
    for (const [t, v] of [
      [90, 0.05],
      [91, 0.2],
    ])
      store.add({ camera: 'exam', seat: 'A1', time: t, features: Array.from({ length: 18 }, () => v), label: 'suspicious' });
    const report = (await app.inject({ method: 'POST', url: '/api/proctor/evaluate', payload: { camera: 'exam' } })).json();
    expect(report.accuracy).toBeGreaterThan(0.9); // what read as good before
    expect(report.recall).toEqual({ normal: 1, suspicious: 0 });
    const refused = await app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } });
    expect([refused.statusCode, refused.json().code]).toEqual([409, 'never_suspicious']);
    expect(refused.json().error).toMatch(/^cross-validation never found one of the 2 suspicious samples .*label more suspicious samples/);
    expect(training.classifier('exam')).toBeNull();
  });

  it('labels in one call, deletes, lists by label, and validates bodies', async () => {
    const { store, app } = setup('label');
    const s = store.add({ camera: 'exam', seat: 'A1', time: 0, features: Array.from({ length: 18 }, () => 0.1), label: null });
    const labelled = await app.inject({ method: 'PATCH', url: `/api/proctor/samples/${s.id}`, payload: { label: 'suspicious' } });
    expect(labelled.json()).toMatchObject({ id: s.id, label: 'suspicious', crop_url: `samples/${s.id}/crop.jpg` });
    expect((await app.inject({ url: '/api/proctor/samples?label=suspicious' })).json()).toHaveLength(1);
    expect((await app.inject({ url: '/api/proctor/samples?label=unlabelled' })).json()).toHaveLength(0);
    const bad = await app.inject({ method: 'PATCH', url: `/api/proctor/samples/${s.id}`, payload: { label: 'cheating' } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'bad_request']);
    expect((await app.inject({ method: 'DELETE', url: `/api/proctor/samples/${s.id}` })).statusCode).toBe(204);
    const gone = await app.inject({ method: 'DELETE', url: `/api/proctor/samples/${s.id}` });
    expect([gone.statusCode, gone.json().code]).toEqual([404, 'sample_not_found']);
  });

  it('exports samples, crops and classifiers as one archive that another store imports whole', async () => {
    const from = setup('export');
    twoClouds(from.store);
    from.store.add({ camera: 'exam', seat: 'A2', time: 5, features: Array.from({ length: 18 }, () => 0.5), label: null }, Buffer.from('jpeg bytes'));
    await from.app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } });
    const archive = (await from.app.inject({ url: '/api/proctor/archive' })).json();
    expect(archive.samples).toHaveLength(21);
    const to = setup('import');
    const r = await to.app.inject({ method: 'POST', url: '/api/proctor/archive', payload: archive });
    expect(r.json()).toEqual({ samples: 21, already_here: 0, classifiers: 1 });
    expect(to.store.list().map((s) => [s.seat, s.label, s.features[0]])).toEqual(from.store.list().map((s) => [s.seat, s.label, s.features[0]]));
    expect(to.store.crop(to.store.list().at(-1)!.id)?.toString()).toBe('jpeg bytes');
    expect(to.training.classifier('exam')?.k).toBe(3);
    const broken = await to.app.inject({ method: 'POST', url: '/api/proctor/archive', payload: { ...archive, samples: [{ ...archive.samples[0], features: [1, 2] }] } });
    expect([broken.statusCode, broken.json().code]).toEqual([400, 'bad_request']);
    expect(to.store.list()).toHaveLength(21);
    // the same archive again adds nothing (twins in other folds made cross-validation read perfect)
    expect((await to.app.inject({ method: 'POST', url: '/api/proctor/archive', payload: archive })).json()).toEqual({ samples: 0, already_here: 21, classifiers: 1 });
    expect(to.store.list()).toHaveLength(21);
    // samples of a camera that is not proctored here would be stored where no page shows them
    const gym = await to.app.inject({
      method: 'POST',
      url: '/api/proctor/archive',
      payload: { ...archive, samples: archive.samples.map((s: object) => ({ ...s, camera: 'gym' })) },
    });
    expect([gym.statusCode, gym.json().code]).toEqual([400, 'camera_not_found']);
    expect(gym.json().error).toMatch(/^the archive is for "gym", not a proctored camera here \(exam\): nothing was imported$/);
  });
});

/** The background with a dark upright block where a person sits: a silhouette whose 18 ratios are known. */
function withBlock(bg: RgbImage, [x0, y0, x1, y1]: [number, number, number, number]): RgbImage {
  const data = Uint8Array.from(bg.data);
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) data.set([255 - bg.data[(y * bg.width + x) * 3], 0, 255], (y * bg.width + x) * 3);
  return { width: bg.width, height: bg.height, data };
}

describe.skipIf(!existsSync(BACKGROUND))('capturing a live seat (../shared/fixtures/people/background.jpg)', () => {
  it('takes the seat against its background, and the trained classifier drives the live suspicious cue', async () => {
    const bg = await loadImage(BACKGROUND);
    const block: [number, number, number, number] = [100, 50, 140, 130];
    let frame: Frame = { ...bg, time: 0 };
    const { store, training, app } = setup('capture', () => frame);
    const noModels = { has: () => false } as unknown as AnalyzerModels;
    const seats = [
      {
        name: 'A1',
        coordinates: [
          [0, 0],
          [0.5, 0],
          [0.5, 1],
          [0, 1],
        ] as Array<[number, number]>,
      },
    ];
    const proctor = proctorAnalyzer.create({
      camera: 'exam',
      config: proctorSchema.parse({}),
      cameraConfig: { enabled: true, schedule: [], required_zones: [], seats, sessions: [] },
      models: noModels,
      matchFace: () => null,
      references: () => [],
      shared: { sessions: { active: () => ({ id: 's1' }) }, training },
      logger: silentLogger(),
    });
    const person: ObjectDetection = { label: 'person', score: 0.9, box: block };
    const analyze = (img: RgbImage, time: number, persons: ObjectDetection[]) =>
      proctor.analyze({
        camera: 'exam',
        time,
        img,
        objects: async () => persons,
        persons: async () => persons.map((p) => ({ ...p, from: 'objects' as const })),
        faces: async () => [],
        earlier: [],
      } satisfies FrameContext);

    const before = await app.inject({ method: 'POST', url: '/api/proctor/samples', payload: { camera: 'exam', seat: 'A1' } });
    expect([before.statusCode, before.json().code]).toEqual([409, 'no_background']);
    expect(before.json().error).toMatch(/^seat A1: not seen empty yet; empty it for a moment/);
    await analyze(bg, 0, []); // the empty seat becomes its background
    frame = { ...withBlock(bg, block), time: 1000 };
    const r = await app.inject({ method: 'POST', url: '/api/proctor/samples', payload: { camera: 'exam', seat: 'A1', label: 'suspicious' } });
    expect(r.statusCode).toBe(201);
    // a 40×80 block: every width is 40/80, every height 80/80
    expect(r.json().features.map((f: number) => Math.round(f * 100) / 100)).toEqual([...Array(9).fill(0.5), ...Array(9).fill(1)]);
    const crop = await app.inject({ url: `/api/proctor/samples/${r.json().id}/crop.jpg` });
    expect([crop.statusCode, crop.headers['content-type'], crop.rawPayload.subarray(0, 2).toString('hex')]).toEqual([200, 'image/jpeg', 'ffd8']);
    const wrongSeat = await app.inject({ method: 'POST', url: '/api/proctor/samples', payload: { camera: 'exam', seat: 'Z9' } });
    expect([wrongSeat.statusCode, wrongSeat.json().code]).toEqual([404, 'seat_not_found']);

    // label the captured shape suspicious, and wide shapes normal; then the live seat's block is a suspicious incident
    for (let i = 0; i < 10; i++) store.add({ camera: 'exam', seat: 'A1', time: i, features: [...Array(9).fill(1.5 + i * 0.01), ...Array(9).fill(1)], label: 'normal' });
    for (let i = 0; i < 9; i++) store.add({ camera: 'exam', seat: 'A1', time: i, features: [...Array(9).fill(0.5 + i * 0.01), ...Array(9).fill(1)], label: 'suspicious' });
    expect((await app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } })).statusCode).toBe(200);
    const cues = new Set<string>();
    for (let t = 1000; t <= 5000; t += 500) for (const d of await analyze(frame, t, [person])) cues.add(d.label);
    expect(cues.has('suspicious')).toBe(true);
  });
});

describe('the Proctoring page’s routes', () => {
  it('cross-validates without saving (/evaluate), then /train saves; /cameras shows seats, session and classifier', async () => {
    const { store, training, app } = setup('evaluate');
    twoClouds(store);
    const cameras = async () => (await app.inject({ url: '/api/proctor/cameras' })).json();
    expect(await cameras()).toEqual([{ camera: 'exam', seats: ['seat'], session: null, classifier: null }]);
    const r = await app.inject({ method: 'POST', url: '/api/proctor/evaluate', payload: { camera: 'exam' } });
    expect(r.json()).toMatchObject({ k: 3, samples: 20, accuracy: 1, features: 'ratios' });
    expect(store.classifier('exam')).toBeNull();
    expect(training.classifier('exam')).toBeNull();
    await app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } });
    expect((await cameras())[0].classifier).toMatchObject({ k: 3, samples: 20 });
    const few = await app.inject({ method: 'POST', url: '/api/proctor/evaluate', payload: { camera: 'door' } });
    expect([few.statusCode, few.json().code]).toEqual([404, 'camera_not_found']);
  });
});

describe.skipIf(!existsSync(BACKGROUND))('capturing every seat at once, and the pose vector joined (../shared/fixtures/people/background.jpg)', () => {
  const half = (x0: number, x1: number) =>
    [
      [x0, 0],
      [x1, 0],
      [x1, 1],
      [x0, 1],
    ] as Array<[number, number]>;

  it('answers a capture before the proctor has analysed a frame with a reason, not an error', async () => {
    const { store, app } = setup('captures-early');
    const r = await app.inject({ method: 'POST', url: '/api/proctor/captures', payload: { camera: 'exam' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ samples: [], refused: [{ seat: 'every seat', code: 'not_started', error: 'the proctor has not analysed a frame of camera "exam" yet' }] });
    expect(store.list({ camera: 'exam' })).toEqual([]);
  });

  it('captures the occupied seat and names the empty one with its reason; in ratios_pose mode trains on 52-long vectors', async () => {
    const bg = await loadImage(BACKGROUND);
    const block: [number, number, number, number] = [100, 50, 140, 130];
    let frame: Frame = { ...bg, time: 0 };
    const { store, training, app } = setup('captures', () => frame);
    const proctor = proctorAnalyzer.create({
      camera: 'exam',
      config: proctorSchema.parse({ features: 'ratios_pose' }),
      cameraConfig: {
        enabled: true,
        schedule: [],
        required_zones: [],
        seats: [
          { name: 'A1', coordinates: half(0, 0.5) },
          { name: 'A2', coordinates: half(0.5, 1) },
        ],
        sessions: [],
      },
      models: { has: () => false } as unknown as AnalyzerModels,
      matchFace: () => null,
      references: () => [],
      shared: { sessions: { active: () => ({ id: 's1' }) }, training },
      logger: silentLogger(),
    });
    const capture = () => app.inject({ method: 'POST', url: '/api/proctor/captures', payload: { camera: 'exam' } });
    const none = await capture();
    expect([none.statusCode, none.json().samples, none.json().refused.map((r: { seat: string }) => r.seat)]).toEqual([200, [], ['A1', 'A2']]);
    expect(none.json().refused[0].error).toMatch(/not seen empty yet/);
    await proctor.analyze({ camera: 'exam', time: 0, img: bg, objects: async () => [], persons: async () => [], faces: async () => [], earlier: [] } satisfies FrameContext);
    frame = { ...withBlock(bg, block), time: 1000 };
    const r = await capture();
    expect(r.statusCode).toBe(201);
    expect(r.json().samples.map((s: { seat: string; pose: unknown }) => [s.seat, s.pose])).toEqual([['A1', null]]);
    // A2 was seen empty with A1 (one frame holds both): nobody is in it now
    expect(r.json().refused).toEqual([{ seat: 'A2', code: 'no_background', error: 'seat A2: nobody in it now' }]);

    // No pose model here: every pose is null, and ratios_pose joins zeros.
    twoClouds(store);
    const report = (await app.inject({ method: 'POST', url: '/api/proctor/train', payload: { camera: 'exam' } })).json();
    expect(report.features).toBe('ratios_pose');
    expect(training.classifier('exam')?.samples[0].features).toHaveLength(18 + 34);
  });
});
