import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnnxGraphBuilder, OnnxType } from '../../src/convert/onnx-writer.js';
import { silentLogger } from '../../src/log.js';
import { pruneToOutputs } from '../../src/models/prune-outputs.js';
import { SessionPool } from '../../src/models/session-pool.js';

/** x → a = x + 1 → kept = a · 2, and a branch x → b = x · 3 → dropped = b − 1 that nobody reads. */
function twoBranches(): Uint8Array {
  const g = new OnnxGraphBuilder();
  g.addInput('x', OnnxType.float, [1, 3]);
  const one = g.addInitializer('one', { type: OnnxType.float, dims: [], data: Float32Array.of(1) });
  const two = g.addInitializer('two', { type: OnnxType.float, dims: [], data: Float32Array.of(2) });
  const three = g.addInitializer('three', { type: OnnxType.float, dims: [], data: Float32Array.of(3) });
  const [a] = g.addNode('Add', ['x', one], { name: 'a' });
  g.addNode('Mul', [a, two], { name: 'kept', outputs: ['kept'] });
  const [b] = g.addNode('Mul', ['x', three], { name: 'b' });
  g.addNode('Sub', [b, one], { name: 'dropped', outputs: ['dropped'] });
  g.addOutput('kept', OnnxType.float, [1, 3]);
  g.addOutput('dropped', OnnxType.float, [1, 3]);
  return g.encode({ graphName: 'two', producer: 'test' });
}

describe('pruneToOutputs', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'argus-prune-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps only the nodes the kept outputs depend on, and they compute the same values', async () => {
    const full = twoBranches();
    const pruned = pruneToOutputs(full, ['kept']);
    expect(pruned).toMatchObject({ nodes: 4, kept: 2 });
    const x = new ort.Tensor('float32', Float32Array.of(1, 2, 3), [1, 3]);
    const a = await ort.InferenceSession.create(full);
    const b = await ort.InferenceSession.create(pruned.bytes);
    expect(b.outputNames).toEqual(['kept']);
    expect(Array.from((await b.run({ x })).kept.data as Float32Array)).toEqual(Array.from((await a.run({ x })).kept.data as Float32Array));
    expect(Array.from((await b.run({ x })).kept.data as Float32Array)).toEqual([4, 6, 8]);
  });

  it('refuses an output the model does not have', () => {
    expect(() => pruneToOutputs(twoBranches(), ['nope'])).toThrow(/no output "nope"/);
  });

  it('the pool loads a model pruned to the outputs asked for', async () => {
    const path = join(dir, 'two.onnx');
    await writeFile(path, twoBranches());
    const pool = new SessionPool({ provider: 'cpu', threads: 1, workers: 1 }, silentLogger());
    try {
      const info = await pool.load('two', path, { outputs: ['kept'] });
      expect(info.outputs.map((o) => o.name)).toEqual(['kept']);
      const out = await pool.run('two', { x: { type: 'float32', dims: [1, 3], data: Float32Array.of(0, 1, 2) } });
      expect(Object.keys(out)).toEqual(['kept']);
      expect(Array.from(out.kept.data as Float32Array)).toEqual([2, 4, 6]);
    } finally {
      await pool.close();
    }
  });
});
