import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { Detector } from '../../src/models/detector.js';
import { defaultModelsConfig } from '../../src/models/model-config.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { FaceRegistry, type FaceRegistryOptions } from '../../src/registry/face-registry.js';
import { openDatabase, type Db } from '../../src/store/database.js';

export interface RealRegistry {
  detector: Detector;
  db: Db;
  registry: FaceRegistry;
  dir: string;
  close(): Promise<void>;
}

/** A started registry on a fresh SQLite file with the real face models: load once per test file. */
export async function realRegistry(config: unknown, extra: Partial<FaceRegistryOptions> = {}): Promise<RealRegistry> {
  const detector = await Detector.create({ config: defaultModelsConfig(), logger: silentLogger(), families: ['faces'] });
  const dir = mkdtempSync(join(tmpdir(), 'argus-faces-'));
  const db = openDatabase(join(dir, 'argus.db'));
  const registry = new FaceRegistry({
    db,
    config: registryConfigSchema.parse(config),
    dataDir: dir,
    model: 'faceres',
    models: detector,
    logger: silentLogger(),
    ...extra,
  });
  registry.start();
  return {
    detector,
    db,
    registry,
    dir,
    close: async () => {
      registry.stop();
      db.close();
      await detector.close();
    },
  };
}
