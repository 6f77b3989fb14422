import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { ProctorSampleStore } from '../../src/store/proctor-samples.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-samples-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const features = (v: number) => Array.from({ length: 18 }, () => v);

describe('ProctorSampleStore', () => {
  it('keeps samples, crops, labels and classifiers across a reopen of the file', () => {
    const path = join(dir, 'argus.db');
    const db = openDatabase(path);
    const store = new ProctorSampleStore(db);
    const a = store.add({ camera: 'exam', seat: 'A1', time: 1000, features: features(0.25), label: null }, Buffer.from([0xff, 0xd8]));
    const b = store.add({ camera: 'exam', seat: 'A2', time: 2000, features: features(0.5), label: 'suspicious' });
    store.add({ camera: 'hall', seat: 'B1', time: 3000, features: features(0.75), label: 'normal' });
    expect(store.setLabel(a.id, 'normal')).toBe(true);
    expect(store.setLabel(999, 'normal')).toBe(false);
    store.saveClassifier({ camera: 'exam', k: 5, trained_at: 4000, samples: [{ features: features(0.25), label: 'normal' }], report: { accuracy: 0.9 } });
    db.close();

    const again = new ProctorSampleStore(openDatabase(path));
    expect(again.list({ camera: 'exam' }).map((s) => [s.id, s.seat, s.label, s.features[0]])).toEqual([
      [a.id, 'A1', 'normal', 0.25],
      [b.id, 'A2', 'suspicious', 0.5],
    ]);
    expect(again.list({ label: 'normal' }).map((s) => s.camera)).toEqual(['exam', 'hall']);
    expect([...(again.crop(a.id) ?? [])]).toEqual([0xff, 0xd8]);
    expect(again.crop(b.id)).toBeNull();
    expect(again.classifier('exam')).toMatchObject({ k: 5, trained_at: 4000, report: { accuracy: 0.9 } });
    expect(again.classifier('hall')).toBeNull();
    expect(again.remove(a.id)).toBe(true);
    expect(again.get(a.id)).toBeNull();
    expect(again.list({ label: 'unlabelled' })).toEqual([]);
  });

  it('refuses a label other than normal or suspicious', () => {
    const store = new ProctorSampleStore(openDatabase(join(dir, 'labels.db')));
    const s = store.add({ camera: 'exam', seat: 'A1', time: 0, features: features(0), label: null });
    expect(() => store.setLabel(s.id, 'cheating' as 'normal')).toThrow(/CHECK constraint/);
  });
});

describe('ProctorSampleStore on a database from before the pose vector', () => {
  it('adds the pose column, keeps the old samples, and stores a pose with a new one', () => {
    const path = join(dir, 'old.db');
    const db = openDatabase(path);
    // the table as it was first created, without `pose`
    db.exec(`CREATE TABLE proctor_samples (id INTEGER PRIMARY KEY AUTOINCREMENT, camera TEXT NOT NULL, seat TEXT NOT NULL, time REAL NOT NULL,
      features TEXT NOT NULL, crop BLOB, label TEXT CHECK (label IN ('normal', 'suspicious')))`);
    db.prepare('INSERT INTO proctor_samples (camera, seat, time, features, label) VALUES (?, ?, ?, ?, ?)').run('exam', 'A1', 1, JSON.stringify(features(0.1)), 'normal');
    const store = new ProctorSampleStore(db);
    const pose = Array.from({ length: 34 }, (_, i) => i / 100);
    store.add({ camera: 'exam', seat: 'A1', time: 2, features: features(0.2), pose, label: null });
    expect(store.list().map((s) => [s.features[0], s.pose?.length ?? null])).toEqual([
      [0.1, null],
      [0.2, 34],
    ]);
    db.close();
  });
});
