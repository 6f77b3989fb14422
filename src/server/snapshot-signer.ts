import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The two images of an event that a signed URL may open. */
export type SignedFile = 'snapshot.jpg' | 'crop.jpg';

export type SignatureCheck = { ok: true } | { ok: false; code: 'signature_expired' | 'signature_invalid' };

/**
 * The key that signs snapshot URLs: generated once into the data dir (owner-only, like the
 * access token) so links handed out before a restart keep working until they expire.
 */
export function snapshotKey(dataDir: string): Buffer {
  const path = join(dataDir, 'snapshot-key');
  if (existsSync(path)) {
    const saved = Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
    if (saved.length >= 32) return saved;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600 });
  return key;
}

/**
 * Signs (event id, file, expiry) with HMAC-SHA256, so a phone notification can open one
 * event's picture without the access token: the signature opens that one file of that one
 * event until `exp`, and nothing else.
 */
export class SnapshotSigner {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  sign(eventId: string, file: SignedFile, exp: number): string {
    // Newlines cannot occur in an id from the URL path, so the three parts cannot run together.
    return createHmac('sha256', this.key).update(`${eventId}\n${file}\n${exp}`).digest('hex');
  }

  /** `exp=<unix seconds>&sig=<hex>` for a link that stays valid `ttlSeconds`. */
  query(eventId: string, file: SignedFile, ttlSeconds: number): string {
    const exp = Math.floor(this.now() / 1000 + ttlSeconds);
    return `exp=${exp}&sig=${this.sign(eventId, file, exp)}`;
  }

  /** Checks a presented `exp` and `sig` in constant time; an expired link is told apart from a wrong one. */
  verify(eventId: string, file: SignedFile, exp: string, sig: string): SignatureCheck {
    if (!/^\d{1,12}$/.test(exp) || !/^[0-9a-f]{64}$/.test(sig)) return { ok: false, code: 'signature_invalid' };
    const expected = Buffer.from(this.sign(eventId, file, Number(exp)), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(sig, 'hex'))) return { ok: false, code: 'signature_invalid' };
    if (Number(exp) * 1000 <= this.now()) return { ok: false, code: 'signature_expired' };
    return { ok: true };
  }
}
