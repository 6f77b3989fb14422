import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { ProctorSessionStore } from '../../src/store/proctor-sessions.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const argus = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'proctor', 'report', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('argus proctor report <session id>', () => {
  it('reads the incidents of the session from <data>/argus.db and prints them as JSON, CSV, HTML or text', () => {
    const db = openDatabase(join(dir, 'argus.db'));
    const store = new EventStore(db);
    const t = 1_772_528_400;
    for (const [id, seat, cue, start, session] of [
      ['e1', 'A1', 'phone', t + 60, 's1'],
      ['e2', 'A2', 'absent', t, 's1'],
      ['e3', 'A1', 'phone', t + 99, 's2'],
    ] as const) {
      store.save({
        id,
        camera: 'exam',
        kind: 'suspicious',
        label: cue,
        sub_label: seat,
        score: 0.7,
        top_score: 0.7,
        box: [0, 0, 1, 1],
        zones: [],
        start_time: start,
        end_time: start + 10,
        snapshot: null,
        attributes: { seat, cue, session },
      });
    }
    db.close();

    const json = argus('--format', 'json', '--data', dir, 's1');
    expect(json.status).toBe(0);
    const r = JSON.parse(json.stdout);
    expect(r.session).toMatchObject({ id: 's1', camera: 'exam', started_at: '2026-03-03T09:00:00.000Z', ended_at: '2026-03-03T09:01:10.000Z' });
    expect(r.totals).toEqual({ incidents: 2, by_cue: { phone: 1, absent: 1 }, by_seat: { A1: 1, A2: 1 } });
    expect(argus('--format', 'csv', '--data', dir, 's1').stdout.trim().split('\r\n')).toHaveLength(3);
    expect(argus('--format', 'html', '--data', dir, 's1').stdout).toMatch(/^<!doctype html>[\s\S]*Seat A2/);
    expect(argus('--data', dir, 's1').stdout).toContain('seat A1:\n  2026-03-03T09:01:00.000Z to 2026-03-03T09:01:10.000Z  phone  score 0.7');

    const unknown = argus('--data', dir, 'nope');
    expect([unknown.status, unknown.stderr]).toEqual([1, expect.stringContaining('no session "nope"')]);
    expect(argus('--data', join(dir, 'missing'), 's1').stderr).toContain('no database at');
    expect(argus('--format', 'pdf', 's1').status).toBe(2);
  });

  it("puts each incident's picture in the HTML page with --embed (a record that outlives the expiring links)", async () => {
    const data = mkdtempSync(join(tmpdir(), 'argus-proctor-embed-'));
    try {
      const db = openDatabase(join(data, 'argus.db'));
      const id = '1772528400.000-abc123';
      new EventStore(db).save({
        id,
        camera: 'exam',
        kind: 'suspicious',
        label: 'phone',
        sub_label: 'A1',
        score: 0.8,
        top_score: 0.8,
        box: [0, 0, 1, 1],
        zones: [],
        start_time: 1_772_528_400,
        end_time: 1_772_528_410,
        snapshot: `events/${id}/snapshot.jpg`,
        attributes: { seat: 'A1', cue: 'phone', session: 's9' },
      });
      db.close();
      const crop = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f80' } })
        .jpeg()
        .toBuffer();
      mkdirSync(join(data, 'snapshots', id), { recursive: true });
      writeFileSync(join(data, 'snapshots', id, 'crop.jpg'), crop);
      const page = argus('--format', 'html', '--embed', '--data', data, 's9');
      expect(page.status, page.stderr).toBe(0);
      expect(page.stdout).toContain(`<img src="data:image/jpeg;base64,${crop.toString('base64')}" alt="phone" width="96">`);
      expect(argus('--format', 'html', '--data', data, 's9').stdout).not.toContain('data:image/jpeg');
      expect(argus('--format', 'json', '--embed', '--data', data, 's9').status).toBe(2);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  it('takes the name and times from the stored session, and reports a session with no incident', () => {
    const db = openDatabase(join(dir, 'argus.db'));
    const sessions = new ProctorSessionStore(db);
    const t = 1_772_528_400_000;
    sessions.insert({ id: 's1', camera: 'exam', name: 'Maths paper 2', started_at: t - 5_000, ended_at: t + 80_000 });
    sessions.insert({ id: 'clean', camera: 'exam', name: 'Latin', started_at: t + 3_600_000, ended_at: t + 7_200_000 });
    db.close();
    const r = JSON.parse(argus('--format', 'json', '--data', dir, 's1').stdout);
    expect(r.session).toEqual({ id: 's1', camera: 'exam', name: 'Maths paper 2', started_at: '2026-03-03T08:59:55.000Z', ended_at: '2026-03-03T09:01:20.000Z' });
    const clean = argus('--format', 'json', '--data', dir, 'clean');
    expect(clean.status).toBe(0);
    expect(JSON.parse(clean.stdout)).toMatchObject({ session: { name: 'Latin', camera: 'exam' }, seats: [], totals: { incidents: 0 } });
  });

  it('lists the newest sessions without an id, names them for an unknown id, and reads data_dir from --config', () => {
    const list = argus('--data', dir);
    expect(list.status).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual([
      'clean  exam  "Latin"  2026-03-03T10:00:00.000Z to 2026-03-03T11:00:00.000Z',
      's1  exam  "Maths paper 2"  2026-03-03T08:59:55.000Z to 2026-03-03T09:01:20.000Z',
    ]);
    expect(argus('--data', dir, 'nope').stderr).toMatch(/no session "nope" in .*argus\.db; the newest: clean, s1$/m);
    const config = join(dir, 'argus.yml');
    writeFileSync(config, `data_dir: ${JSON.stringify(dir)}\n`);
    expect(argus('--config', config).stdout).toContain('clean  exam');
  });
});
