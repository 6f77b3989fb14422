import { describe, expect, it } from 'vitest';
import { CALIBRATED_FACE_THRESHOLD, registryConfigSchema } from '../../src/registry/config.js';

describe('registryConfigSchema (faces:)', () => {
  it('has defaults for every key, the calibrated threshold', () => {
    expect(registryConfigSchema.parse({})).toEqual({
      threshold: CALIBRATED_FACE_THRESHOLD,
      margin: 0.04,
      min_agreeing: 1,
      backups: { keep: 10, keep_daily: 7, delay: 10 },
      group_threshold: 0.6,
      max_upload_mb: 5,
      away_after: 600,
    });
  });

  it('refuses unknown keys and out-of-range values', () => {
    expect(registryConfigSchema.safeParse({ treshold: 0.5 }).success).toBe(false);
    expect(registryConfigSchema.safeParse({ threshold: 1.5 }).success).toBe(false);
    expect(registryConfigSchema.safeParse({ backups: { keep: -1 } }).success).toBe(false);
  });
});
