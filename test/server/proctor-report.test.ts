import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProctorSessions } from '../../src/analyzers/proctor/sessions.js';
import type { ArgusEvent } from '../../src/events/event.js';
import { silentLogger } from '../../src/log.js';
import { httpApp } from '../../src/server/app.js';
import { proctorRoutes } from '../../src/server/routes/proctor.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = 1_772_528_400; // 2026-03-03T09:00:00Z, seconds
function incident(id: string, seat: string, cue: string, start: number, end: number | null, session: string, score = 0.8): ArgusEvent {
  return {
    id,
    camera: 'exam',
    kind: 'suspicious',
    label: cue,
    sub_label: seat,
    score,
    top_score: score,
    box: [0, 0, 10, 10],
    zones: [],
    start_time: T0 + start,
    end_time: end === null ? null : T0 + end,
    snapshot: `events/${id}/snapshot.jpg`,
    attributes: { seat, cue, session, since: '', candidate: seat === 'A1' ? 'alice' : null },
  };
}

function setup(loadPicture?: (eventId: string) => Promise<Buffer | undefined>) {
  let clock = T0 * 1000;
  const sessions = new ProctorSessions(() => clock);
  const store = new EventStore(openDatabase(join(dir, `${Math.random()}.db`)));
  const app = httpApp(silentLogger());
  void app.register(proctorRoutes, { prefix: '/api/proctor', sessions, cameras: ['exam'], proctored: ['exam'], seats: { exam: ['A1', 'A2', 'A3'] }, events: store, loadPicture });
  const session = sessions.start('exam', 'Maths, paper "2"');
  clock += 3600_000;
  sessions.stop('exam');
  // raised 5 s after its condition began (the cue's seconds)
  store.save({
    ...incident('e1', 'A1', 'phone', 60, 75.5, session.id, 0.91),
    attributes: { seat: 'A1', cue: 'phone', session: session.id, since: new Date((T0 + 55) * 1000).toISOString(), candidate: 'alice' },
  });
  store.save(incident('e2', 'A2', 'looking_away', 120, 130, session.id));
  store.save(incident('e3', 'A1', 'left_seat', 600, 660, session.id, 1));
  store.save(incident('other', 'A1', 'phone', 700, 710, 'another-session'));
  store.save({ ...incident('f1', 'A1', 'face', 30, 40, ''), kind: 'face', label: 'face', sub_label: 'alice', attributes: {} });
  store.save({ ...incident('f2', 'A1', 'face', 7200, 7210, ''), kind: 'face', label: 'face', sub_label: 'bob', attributes: {} });
  // seated before Start, and still in view (its event open)
  store.save({ ...incident('f3', 'A2', 'face', -300, null, ''), kind: 'face', label: 'face', sub_label: 'carol', attributes: {} });
  return { app, session, store };
}

describe('GET /api/proctor/sessions/:id/report', () => {
  it('gives per seat the incidents of that session only, with totals and the faces recognised during it', async () => {
    const { app, session } = setup();
    const r = (await app.inject({ url: `/api/proctor/sessions/${session.id}/report.json` })).json();
    expect(r.session).toMatchObject({ id: session.id, camera: 'exam', name: 'Maths, paper "2"', started_at: '2026-03-03T09:00:00.000Z', ended_at: '2026-03-03T10:00:00.000Z' });
    expect(r.seats.map((s: { seat: string; candidate: string | null; incidents: Array<{ cue: string }> }) => [s.seat, s.candidate, s.incidents.map((i) => i.cue)])).toEqual([
      ['A1', 'alice', ['phone', 'left_seat']],
      ['A2', null, ['looking_away']],
      ['A3', null, []], // watched the whole time, clean
    ]);
    // from when its condition began, not when it was raised
    expect(r.seats[0].incidents[0]).toMatchObject({
      start: '2026-03-03T09:00:55.000Z',
      end: '2026-03-03T09:01:15.500Z',
      duration: 20.5,
      score: 0.91,
      snapshot: '../../../events/e1/snapshot.jpg',
    });
    expect(r.totals).toEqual({ incidents: 3, by_cue: { phone: 1, looking_away: 1, left_seat: 1 }, by_seat: { A1: 2, A2: 1 } });
    // bob came after the session ended; carol sat before it started and was still in view at its end
    expect(r.recognised).toEqual([
      { name: 'alice', first_seen: '2026-03-03T09:00:30.000Z', last_seen: '2026-03-03T09:00:40.000Z', events: 1 },
      { name: 'carol', first_seen: '2026-03-03T09:00:00.000Z', last_seen: '2026-03-03T10:00:00.000Z', events: 1 },
    ]);
  });

  it("ends an ended session's incidents with it, even while their events are still closing", async () => {
    const { app, session, store } = setup();
    // still open a few seconds after Stop (its event ends end_after seconds unseen)
    store.save(incident('e4', 'A2', 'phone', 3590, null, session.id));
    const r = (await app.inject({ url: `/api/proctor/sessions/${session.id}/report.json` })).json();
    const open = r.seats.find((s: { seat: string }) => s.seat === 'A2').incidents.find((i: { event: string }) => i.event === 'e4');
    expect(open).toMatchObject({ end: '2026-03-03T10:00:00.000Z', duration: 10 });
  });

  it('downloads the incidents as CSV, one row each, quoted where needed', async () => {
    const { app, session } = setup();
    const res = await app.inject({ url: `/api/proctor/sessions/${session.id}/report.csv` });
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe(`attachment; filename="proctor-${session.id}.csv"`);
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe('session,camera,seat,candidate,cue,start,end,duration_s,score,snapshot');
    expect(lines.slice(1).map((l) => l.split(',').slice(2, 5))).toEqual([
      ['A1', 'alice', 'phone'],
      ['A1', 'alice', 'left_seat'],
      ['A2', '', 'looking_away'],
    ]);
  });

  it('renders one self-contained HTML page: inline CSS, snapshots as links, text escaped', async () => {
    const { app, session } = setup();
    const res = await app.inject({ url: `/api/proctor/sessions/${session.id}/report.html` });
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const html = res.body;
    expect(html).toContain('<style>');
    expect(html).toContain('Maths, paper &quot;2&quot;');
    expect(html).toContain('<a href="../../../events/e1/snapshot.jpg">snapshot</a>');
    expect(html).toMatch(/Seat A1.*candidate alice/);
    expect(html).not.toMatch(/<script|<img|<link|src=/);
    expect(html).not.toContain('another-session');
  });

  it("draws each incident's picture in the page with ?pictures=embed, links kept; refuses another value", async () => {
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xd9]);
    const { app, session } = setup(async (id) => (id === 'e1' ? jpeg : undefined));
    const html = (await app.inject({ url: `/api/proctor/sessions/${session.id}/report.html?pictures=embed` })).body;
    expect(html).toContain(`<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" alt="phone" width="96"><br><a href="../../../events/e1/snapshot.jpg">snapshot</a>`);
    expect(html).not.toMatch(/<script|<link/);
    expect((await app.inject({ url: `/api/proctor/sessions/${session.id}/report.html?pictures=all` })).statusCode).toBe(400);
  });

  it('builds the report from the incidents when the session is no longer held (a restart), and 404s an unknown id', async () => {
    const { store } = setup();
    const app = httpApp(silentLogger());
    void app.register(proctorRoutes, { prefix: '/api/proctor', sessions: new ProctorSessions(), cameras: ['exam'], proctored: ['exam'], events: store });
    const r = (await app.inject({ url: '/api/proctor/sessions/another-session/report.json' })).json();
    expect(r.session).toMatchObject({ camera: 'exam', name: '', started_at: '2026-03-03T09:11:40.000Z', ended_at: '2026-03-03T09:11:50.000Z' });
    expect(r.totals.incidents).toBe(1);
    const missing = await app.inject({ url: '/api/proctor/sessions/nope/report.csv' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'session_not_found']);
    const badFormat = await app.inject({ url: '/api/proctor/sessions/nope/report.pdf' });
    expect(badFormat.statusCode).toBe(400);
  });
});
