import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { doubts, main } from '../../src/commands/faces.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';
import { sampleEvent } from '../events/event-harness.js';
import { FACES, SKIP_WITHOUT_FACES } from '../registry/probe-faces.js';

const missing = SKIP_WITHOUT_FACES;

/** Runs `argus faces …` in this process and returns its exit code and what it printed. */
async function argus(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('argus faces', () => {
  let dir = '';
  let common: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'argus-faces-cli-'));
    writeFileSync(join(dir, 'argus.yml'), `data_dir: ${JSON.stringify(join(dir, 'data'))}\n`);
    common = ['--config', join(dir, 'argus.yml')];
  });
  afterEach(() => vi.restoreAllMocks());

  it('explains its usage and refuses unknown commands with code 2', async () => {
    expect((await argus('--help')).out).toContain('argus faces <command>');
    const bad = await argus('frobnicate', ...common);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown command "frobnicate"');
    expect((await argus('rename', 'only-one', ...common)).code).toBe(2);
  });

  it('refuses to read a registry that is not there, making none; lists an empty one, and says so when a person is missing', async () => {
    const file = join(dir, 'data', 'argus.db');
    for (const command of [['list'], ['show', 'ada'], ['backups'], ['remove', 'ada']]) {
      const none = await argus(...command, ...common);
      expect(none.code, command[0]).toBe(1);
      expect(none.err).toBe(`argus faces: no face registry at ${file} (set --data or ARGUS_DATA_DIR to Argus' data folder)`);
    }
    expect(existsSync(file)).toBe(false);
    openDatabase(file).close(); // Argus ran once
    expect((await argus('list', ...common)).out).toBe(`the face registry in ${file} is empty`);
    const gone = await argus('remove', 'nobody', ...common);
    expect(gone.code).toBe(1);
    expect(gone.err).toContain('no person named "nobody"');
  });

  it.skipIf(missing !== null)(`adds people from photos, refuses a duplicate, renames, exports, removes and restores${missing ? ` (skipped: ${missing})` : ''}`, async () => {
    const add = await argus('add', 'barack_obama', join(FACES, 'known', 'barack_obama', '1.jpg'), ...common);
    expect(add.err).toBe('');
    expect(add.out).toBe('added barack_obama: 1 new sample (1 in all)');
    // obama1.jpg scores 0.739 against 1.jpg, over the threshold; his 2.jpg (0.682) is under it, no duplicate
    const dup = await argus('add', 'someone', join(FACES, 'probe', 'obama1.jpg'), ...common);
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/looks like "barack_obama".* or pass --force to enrol it as "someone" anyway$/);
    const several = await argus('add', 'rose', join(FACES, 'probe', 'kit_with_rose.jpg'), ...common);
    expect(several.err).toMatch(/2 faces .*--face|face=<index>/);
    expect((await argus('add', 'rose', join(FACES, 'probe', 'kit_with_rose.jpg'), '--face', '0', ...common)).code).toBe(0);
    // an event that named her before the rename (the store Argus writes, in the same data folder)
    const db = openDatabase(join(dir, 'data', 'argus.db'));
    new EventStore(db).save(sampleEvent(1, { kind: 'face', label: 'face', sub_label: 'rose' }));
    expect((await argus('rename', 'rose', 'Rose Leslie', ...common)).code).toBe(0);
    expect(new EventStore(db).query({ name: 'Rose Leslie' }).total).toBe(1);
    db.close();
    const list = JSON.parse((await argus('list', '--json', ...common)).out) as { name: string; samples: number }[];
    expect(list.map((p) => [p.name, p.samples])).toEqual([
      ['barack_obama', 1],
      ['Rose Leslie', 1],
    ]);

    const archive = join(dir, 'faces.tar.gz');
    expect((await argus('export', archive, ...common)).code).toBe(0);
    expect(statSync(archive).mode & 0o777).toBe(0o600); // biometric data, like the data folder's files
    expect((await argus('remove', 'Rose Leslie', ...common)).out).toContain('removed Rose Leslie');
    expect((await argus('list', ...common)).out).not.toContain('Rose');
    const restored = await argus('restore', archive, ...common);
    expect(restored.out).toMatch(/now holds 2 people, 2 samples; the one it replaced is in .*backups/);
    expect((await argus('list', ...common)).out).toContain('Rose Leslie');

    // Every change above left a backup (written as each command exits), the newest few kept.
    const backups = JSON.parse((await argus('backups', '--json', ...common)).out) as { path: string }[];
    expect(backups.length).toBeGreaterThan(1);
    // the list says who each holds: the newest, the registry as the restore replaced it (Rose removed)
    const listed = (await argus('backups', ...common)).out.split('\n');
    expect(listed[0]).toMatch(/ KiB {2}2 people: barack_obama \(1 photo\), Rose Leslie \(1 photo\)$/); // written as the restore exited
    expect(listed[1]).toMatch(/ KiB {2}1 person: barack_obama \(1 photo\)$/); // the registry the restore replaced
    const bad = await argus('import', join(FACES, 'known', 'barack_obama', '1.jpg'), ...common);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('nothing was changed');
    expect((await argus('list', ...common)).out).toContain('Rose Leslie');
  });

  it.skipIf(missing !== null)(
    `merges a person enrolled twice into one, and refuses two who look nothing alike unless forced${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const own = mkdtempSync(join(tmpdir(), 'argus-faces-merge-'));
      writeFileSync(join(own, 'argus.yml'), `data_dir: ${JSON.stringify(join(own, 'data'))}\n`);
      const cfg = ['--config', join(own, 'argus.yml')];
      expect((await argus('add', 'barack_obama', join(FACES, 'known', 'barack_obama', '1.jpg'), ...cfg)).code).toBe(0);
      // his second photo scores under the duplicate threshold: enrolled under another name, as a household does by mistake
      expect((await argus('add', 'Barack', join(FACES, 'known', 'barack_obama', '2.jpg'), ...cfg)).code).toBe(0);
      expect((await argus('add', 'rose', join(FACES, 'known', 'rose_leslie', '1.jpg'), ...cfg)).code).toBe(0);
      expect((await argus('merge', 'Barack', ...cfg)).code).toBe(2);
      const unlike = await argus('merge', 'rose', 'barack_obama', ...cfg);
      expect(unlike.code).toBe(1);
      expect(unlike.err).toMatch(/"rose" and "barack_obama" look nothing alike .* or pass --force to merge them anyway$/);
      const merged = await argus('merge', 'Barack', 'barack_obama', ...cfg);
      expect(merged.err).toBe('');
      expect(merged.out).toBe('merged Barack into barack_obama: 1 sample moved (2 in all)');
      const list = JSON.parse((await argus('list', '--json', ...cfg)).out) as { name: string; samples: number }[];
      expect(list.map((p) => [p.name, p.samples])).toEqual([
        ['barack_obama', 2],
        ['rose', 1],
      ]);
      expect((await argus('merge', 'rose', 'barack_obama', '--force', ...cfg)).out).toBe('merged rose into barack_obama: 1 sample moved (3 in all)');
    },
  );
});

describe('doubts', () => {
  it('warns of a photo that went in looking less like the person than faces are named from, with the sample to remove', () => {
    expect(doubts('Ada', [{ id: 9, likeness: 0.6 }], ['bush.jpg'], 0.71)).toBe(
      '\nwarning: bush.jpg looks only 60 % like Ada\'s other photos (faces are named from 71 %): if it is someone else, remove it (argus faces remove "Ada" --sample 9), or strangers like them will be named Ada',
    );
    expect(
      doubts(
        'Ada',
        [
          { id: 10, likeness: 0.85 },
          { id: 11, likeness: null },
        ],
        ['a.jpg', 'b.jpg'],
        0.71,
      ),
    ).toBe('');
  });
});
