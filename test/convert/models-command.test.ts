import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/commands/models.js';

describe('argus models', () => {
  let out: string;
  let lines: string[];

  beforeEach(async () => {
    out = await mkdtemp(join(tmpdir(), 'argus-models-cmd-'));
    lines = [];
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await rm(out, { recursive: true, force: true });
  });

  it('build <name> --out converts just that model, with plain progress lines when not a TTY', async () => {
    expect(await main(['build', '--out', out, 'movenet-lightning'])).toBe(0);
    expect(await readdir(out)).toEqual(['movenet-lightning.onnx', 'movenet-lightning.onnx.sha256']);
    expect(lines).toContain('[1/1] movenet-lightning: convert');
    expect(lines.at(-1)).toMatch(/^built .*movenet-lightning\.onnx {2}sha256 [0-9a-f]{16}…$/);
    expect(await main(['build', '--out', out, 'movenet-lightning'])).toBe(0);
    expect(lines.at(-1)).toMatch(/^up to date {2}.*movenet-lightning\.onnx/);
  });

  it('list shows every default model with its input and whether it is built', async () => {
    expect(await main(['list', '--out', out])).toBe(0);
    expect(lines).toHaveLength(9); // a header, then the eight models
    expect(lines[0]).toMatch(/^model\s+task\s+input\s+type\s+pixel values\s+file$/);
    expect(lines.find((l) => l.startsWith('centernet-weapons'))).toMatch(/objects\s+1x512x512x3\s+float32\s+0 to 255\s+not built/);
    expect(lines.find((l) => l.startsWith('centernet '))).toMatch(/objects\s+1x512x512x3\s+float32\s+0 to 255\s+not built/);
    expect(lines.find((l) => l.startsWith('blazeface-back'))).toMatch(/float32\s+-1 to 1\s+not built/);
  });

  it('exits 2 with usage on an unknown subcommand or option', async () => {
    expect(await main(['frobnicate'])).toBe(2);
    expect(await main(['build', '--nope'])).toBe(2);
    expect(lines.join('\n')).toMatch(/unknown option --nope/);
  });

  it('exits 1 naming a model the manifest does not list', async () => {
    expect(await main(['build', '--out', out, 'nosuchmodel'])).toBe(1);
    expect(lines.join('\n')).toMatch(/unknown model nosuchmodel/);
  });
});
