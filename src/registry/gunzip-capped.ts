import { createGunzip } from 'node:zlib';

/** Thrown when the unpacked data would pass the cap: the rest is never inflated. */
export class UnpackedTooLargeError extends Error {
  constructor(readonly cap: number) {
    super(`it unpacks to more than ${Math.round(cap / (1024 * 1024))} MB`);
    this.name = 'UnpackedTooLargeError';
  }
}

/**
 * Inflates a gzip buffer in chunks, off the event loop's back (zlib's thread pool), stopping as
 * soon as the output passes `cap`. `gunzipSync` with `maxOutputLength` blocked the loop for
 * seconds on a 9 MB bomb and left the process over a gigabyte larger (issue 17).
 */
export function gunzipCapped(input: Buffer, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let size = 0;
    gunzip.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        chunks.length = 0;
        gunzip.destroy(new UnpackedTooLargeError(cap));
        return;
      }
      chunks.push(chunk);
    });
    gunzip.once('error', (err) => {
      chunks.length = 0;
      reject(err);
    });
    gunzip.once('end', () => resolve(Buffer.concat(chunks, size)));
    gunzip.end(input);
  });
}

/**
 * How much an archive may unpack to: its own size times a ratio no real archive reaches (its crops
 * are JPEG, which gzip barely shrinks), plus room for the manifest, and never past `ceiling`.
 */
export function unpackCap(packedBytes: number, ceiling: number): number {
  const RATIO = 8;
  const FLOOR = 64 * 1024 * 1024;
  return Math.min(ceiling, FLOOR + packedBytes * RATIO);
}
