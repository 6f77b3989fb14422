import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';
import { ProctorSessionStore } from '../../src/store/proctor-sessions.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-proctor-sessions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ProctorSessionStore', () => {
  it('keeps running and ended sessions and the seats sat in across a reopen of the file', () => {
    const path = join(dir, 'argus.db');
    const db = openDatabase(path);
    const store = new ProctorSessionStore(db);
    store.insert({ id: 'a', camera: 'exam', name: 'Maths', started_at: 1000, ended_at: null });
    store.insert({ id: 'b', camera: 'hall', name: '', started_at: 2000, ended_at: null });
    store.insert({ id: 'c', camera: 'exam', name: 'Physics', started_at: 100, ended_at: null });
    store.end('c', 500);
    store.end('b', 3000);
    store.markOccupied('a', 'A1');
    store.markOccupied('a', 'A1');
    store.markOccupied('a', 'A2');
    db.close();

    const again = new ProctorSessionStore(openDatabase(path));
    expect(again.running()).toEqual([{ id: 'a', camera: 'exam', name: 'Maths', started_at: 1000, ended_at: null }]);
    expect(again.ended(10).map((s) => [s.id, s.ended_at])).toEqual([
      ['b', 3000],
      ['c', 500],
    ]);
    expect(again.ended(1).map((s) => s.id)).toEqual(['b']);
    expect(again.occupied('a')).toEqual(['A1', 'A2']);
    expect(again.occupied('nope')).toEqual([]);
    expect(again.get('c')).toMatchObject({ name: 'Physics', ended_at: 500 });
    expect(again.get('nope')).toBeNull();
  });
});
