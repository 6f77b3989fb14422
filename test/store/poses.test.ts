import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { PoseLibrary, type ReferencePose } from '../../src/store/poses.js';

const pose = (name: string, threshold = 0.9): ReferencePose => ({
  name,
  vector: { left_wrist: [0.5, -2.1], right_wrist: [-0.5, -2.2] },
  threshold,
  model: 'blazepose',
  created_at: 1_790_000_000.5,
});

describe('PoseLibrary', () => {
  it('saves, lists, replaces and removes poses, and keeps them across reopening', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'argus-poses-')), 'argus.db');
    const db = openDatabase(path);
    const lib = new PoseLibrary(db);
    lib.save(pose('hands_up'));
    lib.save(pose('t_pose'));
    lib.save(pose('hands_up', 0.8));
    expect(lib.list().map((p) => [p.name, p.threshold])).toEqual([
      ['hands_up', 0.8],
      ['t_pose', 0.9],
    ]);
    expect(lib.remove('t_pose')).toBe(true);
    expect(lib.remove('t_pose')).toBe(false);
    db.close();
    const again = new PoseLibrary(openDatabase(path));
    expect(again.get('hands_up')).toEqual(pose('hands_up', 0.8));
    expect(again.get('t_pose')).toBeNull();
  });

  it('refuses names that are not a-z, 0-9 and _', () => {
    const lib = new PoseLibrary(openDatabase(':memory:'));
    expect(() => lib.save(pose('Hands Up'))).toThrow(/a-z, 0-9 and _/);
    expect(lib.list()).toEqual([]);
  });
});
