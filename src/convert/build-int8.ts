import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quantizeModel, type CalibrationRanges } from './quantize.js';

/** Bumped whenever quantizeModel's output changes, so `models build` rewrites the int8 files. */
export const QUANTIZER_VERSION = '1';

/** `calibration/<name>.json` beside the manifest, written by `npm run calibrate:int8` (test/bench/calibrate-int8.ts). */
export function calibrationPath(manifestDir: string, name: string): string {
  return join(manifestDir, 'calibration', `${name}.json`);
}

/**
 * Writes `<stem>.int8.onnx` beside a built float32 model whose activation ranges were calibrated
 * (only models whose int8 answers agree with float32's have a calibration file; docs/inference.md).
 * Skipped when its stamp matches the float model, the ranges and the quantizer version.
 */
export async function buildInt8(opts: {
  name: string;
  floatPath: string;
  floatSha256: string;
  manifestDir: string;
}): Promise<{ path: string; skipped: boolean; warning?: string } | undefined> {
  const rangesPath = calibrationPath(opts.manifestDir, opts.name);
  if (!existsSync(rangesPath)) return undefined;
  const rangesJson = await readFile(rangesPath);
  const path = opts.floatPath.replace(/\.onnx$/, '.int8.onnx');
  const source = createHash('sha256').update(`quantizer ${QUANTIZER_VERSION}\n${opts.floatSha256}\n`).update(rangesJson).digest('hex');
  try {
    const stamp = JSON.parse(await readFile(`${path}.sha256`, 'utf8')) as { source: string; sha256: string };
    const onDisk = createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
    if (stamp.source === source && stamp.sha256 === onDisk) return { path, skipped: true };
  } catch {
    // no stamp or no file: build it
  }
  const { ranges } = JSON.parse(rangesJson.toString('utf8')) as { ranges: CalibrationRanges };
  let bytes: Uint8Array;
  try {
    bytes = quantizeModel(new Uint8Array(await readFile(opts.floatPath)), ranges).bytes;
  } catch (err) {
    // Ranges from another converter version: float32 stays in use (a stale int8 file must not).
    await rm(path, { force: true });
    await rm(`${path}.sha256`, { force: true });
    return { path, skipped: true, warning: `${opts.name}: no int8 model (${(err as Error).message})` };
  }
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await writeFile(`${path}.sha256`, `${JSON.stringify({ sha256, source }, null, 2)}\n`);
  return { path, skipped: false };
}
