import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AnalyzerModels, FrameContext } from '../../../src/analyzers/analyzer.js';
import { proctorSchema } from '../../../src/analyzers/proctor/config.js';
import { proctorAnalyzer } from '../../../src/analyzers/proctor/index.js';
import { proctorParts } from '../../../src/analyzers/proctor/parts.js';
import type { Detection } from '../../../src/events/analyzed-frame.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import type { ObjectDetection } from '../../../src/models/detection.js';
import { httpApp } from '../../../src/server/app.js';
import { openDatabase } from '../../../src/store/database.js';
import { EventStore } from '../../../src/store/events.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-parts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const IMG = { width: 64, height: 48, data: new Uint8Array(64 * 48 * 3) };
const person: ObjectDetection = { label: 'person', score: 0.9, box: [10, 10, 40, 45] };
const phone: ObjectDetection = { label: 'cell phone', score: 0.8, box: [20, 20, 30, 30] };

/** One Argus start on the database file: the proctor's parts (routes, sessions) and its analyzer on camera `exam`. */
function boot(file: string, proctored = true, endEvents?: (camera: string, kind: string) => void) {
  const db = openDatabase(file);
  const events = new EventStore(db);
  const parts = proctorParts({
    db,
    cameras: proctored ? { exam: { enabled: true, schedule: [], required_zones: [], seats: [], sessions: [] } } : {},
    allCameras: ['exam'],
    latestFrame: () => undefined,
    events,
    endEvents,
    logger: silentLogger(),
  });
  const app = httpApp(silentLogger());
  for (const r of parts.routes ?? []) r(app);
  parts.start?.();
  const camera = proctorAnalyzer.create({
    camera: 'exam',
    config: proctorSchema.parse({}),
    cameraConfig: { enabled: true, schedule: [], required_zones: [], seats: [], sessions: [] },
    models: { has: () => false } as unknown as AnalyzerModels,
    matchFace: () => null,
    references: () => [],
    shared: parts.shared,
    logger: silentLogger(),
  });
  const analyze = (time: number, objects: ObjectDetection[], seen: Promise<void> = Promise.resolve()) =>
    camera.analyze({
      camera: 'exam',
      time,
      img: IMG,
      objects: async () => {
        await seen;
        return objects;
      },
      persons: async () => objects.filter((o) => o.label === 'person').map((o) => ({ ...o, from: 'objects' as const })),
      faces: async () => [],
      earlier: [],
    } satisfies FrameContext);
  const shutdown = async () => {
    camera.reset?.();
    await parts.stop?.();
    await app.close();
    db.close();
  };
  return { app, events, analyze, shutdown };
}

/** What the event manager keeps of an incident's detection (kind, cue, seat, attributes), as a stored event. */
function store(events: EventStore, id: string, d: Detection, start: number, end: number): void {
  events.save({
    id,
    camera: 'exam',
    kind: d.kind,
    label: d.label,
    sub_label: d.sub_label ?? null,
    score: d.score,
    top_score: d.score,
    box: d.box,
    zones: [],
    start_time: start / 1000,
    end_time: end / 1000,
    snapshot: null,
    attributes: d.attributes ?? {},
  });
}

describe('exam sessions across a restart', () => {
  it('an open session is open again after a restart, its report keeps the earlier incidents, and a seat sat in before is left_seat, not absent', async () => {
    const file = join(dir, 'argus.db');
    const first = boot(file);
    const started = await first.app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: { camera: 'exam', action: 'start', name: 'Maths paper 2' } });
    expect(started.statusCode).toBe(201);
    const id = started.json().id as string;
    // A candidate sits down, then a phone shows for 2 s: a phone incident, stored as an event.
    let open: Detection[] = [];
    const t0 = Date.now();
    for (let t = t0; t <= t0 + 2500; t += 500) open = await first.analyze(t, [person, phone]);
    const incident = open.find((d) => d.label === 'phone');
    expect(incident?.attributes).toMatchObject({ session: id, session_name: 'Maths paper 2', seat: 'seat', cue: 'phone' });
    store(first.events, 'e-phone', incident!, t0, t0 + 2500);
    await first.shutdown();

    const second = boot(file);
    const listed = (await second.app.inject({ url: '/api/proctor/sessions' })).json();
    expect(listed).toEqual([expect.objectContaining({ id, camera: 'exam', name: 'Maths paper 2', ended_at: null })]);
    expect((await second.app.inject({ url: '/api/proctor/cameras' })).json()[0].session).toMatchObject({ id });
    const report = (await second.app.inject({ url: `/api/proctor/sessions/${id}/report.json` })).json();
    expect(report.session).toMatchObject({ id, name: 'Maths paper 2', ended_at: null });
    expect(report.seats[0].incidents.map((i: { cue: string }) => i.cue)).toEqual(['phone']);
    // The seat is empty after the restart: someone sat in it during this session, so it is left_seat.
    const cues = new Set<string>();
    for (let t = t0 + 60_000; t <= t0 + 67_000; t += 500) for (const d of await second.analyze(t, [])) cues.add(d.label);
    expect([...cues]).toEqual(['left_seat']);
    const stopped = await second.app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: { camera: 'exam', action: 'stop' } });
    expect(stopped.json()).toMatchObject({ id, ended_at: expect.any(String) });
    await second.shutdown();

    // An ended session stays ended, and its report still names it.
    const third = boot(file);
    expect((await third.app.inject({ url: '/api/proctor/cameras' })).json()[0].session).toBeNull();
    expect((await third.app.inject({ url: '/api/proctor/sessions' })).json()).toEqual([expect.objectContaining({ id, ended_at: stopped.json().ended_at })]);
    expect((await third.app.inject({ url: `/api/proctor/sessions/${id}/report.json` })).json().session.name).toBe('Maths paper 2');
    await third.shutdown();
  });

  it('a new session on a fresh database starts absent seats as absent', async () => {
    const fresh = boot(join(dir, 'fresh.db'));
    await fresh.app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: { camera: 'exam', action: 'start' } });
    const cues = new Set<string>();
    const t0 = Date.now();
    for (let t = t0; t <= t0 + 7000; t += 500) for (const d of await fresh.analyze(t, [])) cues.add(d.label);
    expect([...cues]).toEqual(['absent']);
    await fresh.shutdown();
  });
});

describe('stopping a session', () => {
  it("ends its incidents at once (HA's sensor went OFF end_after later), and a frame analysed across the stop raises none", async () => {
    const ended: string[] = [];
    const exam = boot(join(dir, 'stop.db'), true, (camera, kind) => ended.push(`${camera}:${kind}`));
    await exam.app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: { camera: 'exam', action: 'start' } });
    const t0 = Date.now();
    let open: Detection[] = [];
    for (let t = t0; t <= t0 + 2500; t += 500) open = await exam.analyze(t, [person, phone]);
    expect(open.map((d) => d.label)).toContain('phone');
    let see = () => {};
    const inFlight = exam.analyze(t0 + 3000, [person, phone], new Promise<void>((r) => (see = r)));
    await exam.app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: { camera: 'exam', action: 'stop' } });
    see();
    expect(await inFlight).toEqual([]);
    expect(ended).toEqual(['exam:suspicious']);
    await exam.shutdown();
  });
});

describe('a session resumed on a camera no longer proctored', () => {
  it('ends at start-up, so it does not stay running with no way to stop it', async () => {
    const file = join(dir, 'removed.db');
    const first = boot(file);
    const id = (await first.app.inject({ method: 'POST', url: '/api/proctor/sessions', payload: { camera: 'exam', action: 'start' } })).json().id;
    await first.shutdown();
    const second = boot(file, false);
    expect((await second.app.inject({ url: '/api/proctor/sessions' })).json()).toEqual([expect.objectContaining({ id, ended_at: expect.any(String) })]);
    await second.shutdown();
  });
});

describe("a seat's candidate nobody enrolled", () => {
  it('is warned of at start and when a session starts, naming camera, seat and candidate; an enrolled one is not', async () => {
    const db = openDatabase(join(dir, 'candidates.db'));
    const lines: string[] = [];
    let people = ['bob'];
    const seats = [
      { name: 'A1', coordinates: [], candidate: 'alice' },
      { name: 'A2', coordinates: [], candidate: 'bob' },
      { name: 'A3', coordinates: [] },
    ];
    const parts = proctorParts({
      db,
      cameras: { exam: { enabled: true, schedule: [], required_zones: [], seats, sessions: [] } },
      allCameras: ['exam'],
      latestFrame: () => undefined,
      events: new EventStore(db),
      enrolled: () => people,
      logger: createLogger('info', { write: (line: string) => lines.push(JSON.parse(line).msg) }),
    });
    parts.start?.();
    expect(lines).toEqual([expect.stringMatching(/^camera exam, seat A1: its candidate "alice" is not enrolled in the face registry/)]);
    // enrolled meanwhile: the session starts without a warning
    people = ['bob', 'alice'];
    const first = parts.shared.sessions.start('exam', 'Maths');
    parts.shared.sessions.stop('exam');
    people = ['alice'];
    parts.shared.sessions.start('exam');
    const warnings = lines.filter((l) => l.includes('not enrolled'));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatch(/seat A2: its candidate "bob" is not enrolled/);
    // each start and end is in the log, whoever asked (UI, API, HA, schedule)
    expect(lines.filter((l) => l.startsWith('exam session'))).toEqual([
      `exam session ${first.id} ("Maths") started on exam`,
      'exam session on exam ended',
      expect.stringMatching(/^exam session exam-\d+-2 started on exam$/),
    ]);
    await parts.stop?.();
    db.close();
  });
});
