/**
 * Child process for the crash test: enrols `count` people with one precomputed sample each
 * through the real registry and database, printing each id after its commit returned.
 * Usage: node --import tsx test/registry/enrol-child.ts <dataDir> <count>
 */
import { join } from 'node:path';
import { silentLogger } from '../../src/log.js';
import { registryConfigSchema } from '../../src/registry/config.js';
import { FaceRegistry } from '../../src/registry/face-registry.js';
import { openDatabase } from '../../src/store/database.js';
import { randomEmbedding } from './random-embedding.js';

const [dataDir, count] = process.argv.slice(2);
const registry = new FaceRegistry({
  db: openDatabase(join(dataDir, 'argus.db')),
  config: registryConfigSchema.parse({ backups: { keep: 0 } }),
  dataDir,
  model: 'faceres',
  logger: silentLogger(),
});
registry.start();
for (let i = 0; i < Number(count); i++) {
  const crop = Buffer.alloc(2048, i % 256);
  const { samples } = registry.enrol(`person_${i}`, [{ embedding: randomEmbedding(i + 1), crop, source: 'photo', sourceRef: `${i}.jpg`, box: null }]);
  process.stdout.write(`${i} ${samples[0].id}\n`);
}
