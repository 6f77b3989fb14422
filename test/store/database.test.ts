import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';

describe('openDatabase', () => {
  it('opens a file in WAL mode with foreign keys on, creating its folder', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'argus-db-')), 'nested', 'argus.db');
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    db.close();
  });
});
