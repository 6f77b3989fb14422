// The verifier of a head file (the shipped models/weapons.head.json by default) as an ONNX graph,
// for the weapon benches: undefined when the head has none or `--no-verifier` is given.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifierModel } from '../../src/convert/crop-verifier.js';
import { readHeadFile, verifierFromFile } from '../../src/train/head-file.js';

const MODELS = join(import.meta.dirname, '../../models');

export async function shippedVerifier(args: string[]): Promise<Uint8Array | undefined> {
  if (args.includes('--no-verifier')) return undefined;
  const head = args.find((a) => a.startsWith('--head='))?.slice('--head='.length) ?? join(MODELS, 'weapons.head.json');
  const v = verifierFromFile(await readHeadFile(head), head);
  return v ? verifierModel(readFileSync(join(MODELS, 'centernet.onnx')), v) : undefined;
}
