import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The token that guards every port but HA ingress: the configured one, else one generated on
 * first start and kept in the data dir (readable by its owner only) so links survive restarts.
 */
export function accessToken(dataDir: string, configured?: string): string {
  if (configured) return configured;
  const path = join(dataDir, 'access-token');
  if (existsSync(path)) {
    const saved = readFileSync(path, 'utf8').trim();
    if (saved.length >= 16) return saved;
  }
  const token = randomBytes(18).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  return token;
}
