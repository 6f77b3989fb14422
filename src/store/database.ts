import Database from 'better-sqlite3';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

/**
 * Opens `<data>/argus.db`: WAL so readers never block the writer, synchronous FULL so a commit
 * that returned survives a crash or power cut. Each table family (src/store/*.ts) creates its own
 * tables with `CREATE TABLE IF NOT EXISTS` when it is constructed.
 */
export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Faces and events are personal data: owner only, whatever the umask of whoever opened it first
  // (SQLite gives the -wal and -shm files the database's own mode).
  if (path !== ':memory:') for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
  return db;
}
