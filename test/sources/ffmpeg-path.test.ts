import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findFfmpeg } from '../../src/sources/ffmpeg-path.js';

describe('findFfmpeg', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  it('uses the configured binary first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-ffmpeg-'));
    const fake = join(dir, 'my-ffmpeg');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    expect(findFfmpeg(fake)).toBe(fake);
  });

  it('says clearly when the configured path is not an executable', () => {
    expect(() => findFfmpeg('/nowhere/ffmpeg')).toThrow(/ffmpeg\.path "\/nowhere\/ffmpeg" is not an executable/);
  });

  it('finds ffmpeg on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-path-'));
    writeFileSync(join(dir, 'ffmpeg'), '#!/bin/sh\n');
    chmodSync(join(dir, 'ffmpeg'), 0o755);
    process.env.PATH = dir;
    expect(findFfmpeg()).toBe(join(dir, 'ffmpeg'));
  });

  it('falls back to the binary from @ffmpeg-installer/ffmpeg when PATH has none', () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'argus-empty-'));
    expect(findFfmpeg()).toMatch(/@ffmpeg-installer\/.*ffmpeg$/);
  });
});
