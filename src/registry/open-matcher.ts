import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import { openDatabase } from '../store/database.js';
import { registryConfigSchema, type RegistryConfig } from './config.js';
import { FaceRegistry, type FaceMatch } from './face-registry.js';

export interface FaceMatcher {
  /** Who this face is (at or above `faces.threshold`), or null for a stranger. */
  match(embedding: Float32Array): FaceMatch | null;
  close(): void;
}

/**
 * For one-shot commands such as `argus analyze`: the registry of a data folder, read for matching,
 * or null when that folder has no database or nobody is enrolled (so nothing is created).
 */
export function openFaceMatcher(opts: { dataDir: string; model: string; config?: RegistryConfig; logger: Logger }): FaceMatcher | null {
  const path = join(opts.dataDir, 'argus.db');
  if (!existsSync(path)) return null;
  const db = openDatabase(path);
  const registry = new FaceRegistry({
    db,
    config: { ...(opts.config ?? registryConfigSchema.parse({})), backups: { keep: 0, keep_daily: 0, delay: 0 } },
    dataDir: opts.dataDir,
    model: opts.model,
    logger: opts.logger,
  });
  registry.start();
  if (registry.size === 0) {
    db.close();
    return null;
  }
  return { match: (e) => registry.match(e), close: () => db.close() };
}
