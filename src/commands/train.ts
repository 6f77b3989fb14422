import { mkdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import cliProgress from 'cli-progress';
import { readLabels } from '../models/labels.js';
import { ModelManifest } from '../models/manifest.js';
import { modelsSchema } from '../models/model-config.js';
import { shippedClasses } from '../models/object-heads.js';
import { FEATURE_SETS, type FeatureSet, isFeatureSet } from '../train/feature-model.js';
import { BOX_LOSSES, type BoxLoss } from '../train/head.js';
import { DEFAULT_SAMPLING } from '../train/features.js';
import { TrainInterrupted, trainObjects, type TrainProgress } from '../train/train-objects.js';
import { DatasetError } from '../train/yolo-dataset.js';

const USAGE = `usage: argus train objects --data <YOLO folder> --name <model> [--classes a,b] [options]

Trains new object classes on CenterNet's frozen features (docs/weapons.md): the backbone runs
once per image, a small head learns a heatmap channel per class, and AP@0.5 per class is
measured on the valid split. The head is written to <data>/heads/<name>.head.json (write then
rename: the previous file stays in use until training finished); list it under
models.objects.heads and its classes under analyzers.object.labels, and Argus merges it at start.
A stopped run (Ctrl-C) resumes from its cache and checkpoint when started again.

  --data <dir>       YOLO folder: data.yaml, train/images + train/labels, valid/…
  --name <model>     name of the head file ([a-z0-9-])
  --classes a,b      classes to learn, in this order (default: all in data.yaml)
  --out <file>       where the head goes (default <data>/heads/<name>.head.json, <data> being
                     ARGUS_DATA_DIR, else ./data: /data in the add-on)
  --work <dir>       feature cache and checkpoints (default <out folder>/.train-<name>)
  --epochs <n>       passes over the sampled cells (default 10)
  --hidden <n>       hidden units of the head, 0 for a linear head (default 32)
  --features <set>   what the head reads: deep (stride 4, 16 and 32, default) or neck
                     (stride 4 only: smaller and faster to train, less accurate)
  --box-loss <loss>  how box corrections learn: l1 (smooth L1 on each side's log distance,
                     default, as the shipped weapon head was trained) or iou (1 − IoU)
  --mosaic <n>       also learn from each photo small, in one cell of an n×n mosaic of
                     training photos (default off)
  --verifier on|off  also train a second look at each candidate: its crop, pooled
                     CenterNet features and a small classifier rescore it, and a small
                     regressor moves its box (default on; about 40 % more training time)
  --head <file>      keep the head of this head file and train only its verifier (again):
                     after an update that changed how the verifier learns, without the
                     head's features and epochs; its classes must be the data's
  --seed <n>         (default 1)
  --limit <n>        use n train and n/4 valid images spread over the splits (a quick trial)
  --threads <n>      cores to use: onnxruntime threads for the features, photos at once
                     for the verifier's crops and the evaluations (default 1)
  --models <dir>     folder with centernet.onnx and labels (default the package's models/)`;

function defaultModelsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../models');
}

interface Options {
  data?: string;
  name?: string;
  classes?: string[];
  out?: string;
  work?: string;
  epochs?: number;
  hidden?: number;
  features?: FeatureSet;
  boxLoss?: BoxLoss;
  mosaic?: number;
  verifier?: boolean;
  head?: string;
  seed?: number;
  limit?: number;
  threads?: number;
  models: string;
}

const NUMERIC = { '--epochs': 'epochs', '--hidden': 'hidden', '--mosaic': 'mosaic', '--seed': 'seed', '--limit': 'limit', '--threads': 'threads' } as const;
const TEXT = { '--data': 'data', '--name': 'name', '--out': 'out', '--work': 'work', '--models': 'models', '--head': 'head' } as const;

export function parseTrainArgs(args: string[]): Options | string {
  const o: Options = { models: defaultModelsDir() };
  for (let i = 0; i < args.length; i += 2) {
    const a = args[i];
    const v = args[i + 1];
    if (!a.startsWith('--')) return `unexpected argument "${a}"`;
    if (v === undefined || v.startsWith('--')) return `${a} needs a value`;
    const error = setOption(o, a, v);
    if (error) return error;
  }
  if (!o.data) return '--data is required';
  if (!o.name) return '--name is required';
  if (!/^[a-z0-9-]+$/.test(o.name)) return `--name "${o.name}": use lowercase letters, digits and -`;
  if (o.epochs === 0) return '--epochs must be at least 1';
  if (o.threads === 0) return '--threads must be at least 1';
  return o;
}

/** Sets one option from its flag and value; returns what is wrong with them, if anything. */
function setOption(o: Options, a: string, v: string): string | undefined {
  if (a in NUMERIC) {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) return `${a} must be a whole number, got "${v}"`;
    if (a === '--mosaic' && (n === 1 || n > 8)) return `--mosaic must be 2 to 8 photos a side (0: off), got ${n}`;
    o[NUMERIC[a as keyof typeof NUMERIC]] = n;
  } else if (a in TEXT) o[TEXT[a as keyof typeof TEXT]] = v;
  else if (a === '--classes')
    o.classes = v
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean);
  else if (a === '--features') {
    if (!isFeatureSet(v)) return `--features must be ${Object.keys(FEATURE_SETS).join(' or ')}, got "${v}"`;
    o.features = v;
  } else if (a === '--verifier') {
    if (v !== 'on' && v !== 'off') return `--verifier must be on or off, got "${v}"`;
    o.verifier = v === 'on';
  } else if (a === '--box-loss') {
    if (!BOX_LOSSES.includes(v as BoxLoss)) return `--box-loss must be ${BOX_LOSSES.join(' or ')}, got "${v}"`;
    o.boxLoss = v as BoxLoss;
  } else return `unknown option ${a}`;
  return undefined;
}

export async function main(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== 'objects') {
    console.error(`argus train: unknown subcommand "${sub}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const o = parseTrainArgs(rest);
  if (typeof o === 'string') {
    console.error(`argus train: ${o}\n\n${USAGE}`);
    return 2;
  }
  const out = resolve(o.out ?? join(process.env.ARGUS_DATA_DIR ?? './data', 'heads', `${o.name}.head.json`));
  const workDir = o.work ?? join(dirname(out), `.train-${o.name}`);
  let stopping = false;
  const onSigint = (): void => {
    if (stopping) process.exit(130); // a second Ctrl-C: leave now
    stopping = true;
    process.stderr.write('\nstopping after this step (Ctrl-C again to leave now); the previous model stays in place\n');
  };
  process.on('SIGINT', onSigint);
  const tty = process.stderr.isTTY === true;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: '{phase} [{bar}] {percentage}% | ETA {eta_formatted} | {value}/{total} {loss}',
          hideCursor: true,
          etaBuffer: 200,
          // before a phase's first steps there is no rate yet: cli-progress would print "NFs"/"LLs"
          formatTime: (t: number, options: cliProgress.Options, roundTo: number) => (Number.isFinite(t) ? cliProgress.Format.TimeFormat(t, options, roundTo) : '…'),
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let phase = '';
  let lastLogged = 0;
  const onProgress = (p: TrainProgress): void => {
    const loss = p.loss === undefined ? '' : `loss ${p.loss.toFixed(4)}`;
    if (bar) {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        bar.start(p.total, p.done, { phase: p.phase.padEnd(8), loss });
        phase = p.phase;
      }
      bar.update(p.done, { loss });
    } else if (p.phase !== phase || Date.now() - lastLogged > 30_000) {
      phase = p.phase;
      lastLogged = Date.now();
      console.log(`${p.phase} ${p.done}/${p.total} ${loss}`);
    }
  };
  const onLog = (line: string): void => {
    if (bar && phase) bar.stop();
    phase = '';
    console.log(line);
  };
  try {
    await mkdir(dirname(out), { recursive: true, mode: 0o700 });
    const centernet = await readFile(join(o.models, 'centernet.onnx')).catch(() => {
      throw new Error(`${join(o.models, 'centernet.onnx')} is missing: run "argus models build" first`);
    });
    const baseLabels = await readLabels(join(o.models, 'labels', 'coco80.txt'));
    // A class the shipped weapon head has would be refused when Argus merges the heads: say so now, not after the run.
    const shipped = await shippedClasses(ModelManifest.load(o.models)).catch(() => undefined);
    const refuseClasses = (classes: readonly string[]) => {
      // in any case: "Pistol" beside the shipped "pistol" would be a second channel, and no weapon
      const taken = classes.filter((c) => shipped?.classes.some((s) => s.toLowerCase() === c.toLowerCase()));
      // …unless this is the shipped head itself being trained again (`--name weapons`, docs/weapons.md)
      if (!shipped || taken.length === 0 || basename(shipped.path) === `${o.name}.head.json`) return undefined;
      const which = taken.map((c) => `"${c}"`).join(', ');
      return `${taken.length === 1 ? `class ${which} is one` : `classes ${which} are ones`} the shipped detector already has (${shipped.classes.join(', ')}): rename ${taken.length === 1 ? 'it' : 'them'} in your data set's data.yaml (or leave ${taken.length === 1 ? 'it' : 'them'} out with --classes)`;
    };
    const result = await trainObjects({
      data: o.data as string,
      classes: o.classes,
      refuseClasses,
      out,
      workDir,
      centernet,
      baseLabels,
      seed: o.seed,
      epochs: o.epochs,
      hidden: o.hidden,
      features: o.features,
      boxLoss: o.boxLoss,
      verifier: o.verifier,
      keepHead: o.head === undefined ? undefined : resolve(o.head),
      sampling: o.mosaic ? { ...DEFAULT_SAMPLING, mosaic: o.mosaic } : undefined,
      limitTrain: o.limit,
      limitValid: o.limit === undefined ? undefined : Math.max(1, Math.round(o.limit / 4)),
      threads: o.threads,
      command: `argus train objects ${rest.join(' ')}`,
      onProgress,
      onLog,
      shouldStop: () => stopping,
    });
    bar?.stop();
    console.log(`wrote ${result.out} (${result.seconds} s, peak memory ${result.peakRssMB} MB)`);
    for (const [cls, r] of Object.entries(result.reports)) {
      console.log(
        `  ${cls.padEnd(12)} AP@0.5 ${r.ap50.toFixed(3)}  threshold ${r.threshold}: precision ${r.precision.toFixed(3)} recall ${r.recall.toFixed(3)}  (${r.boxes} boxes)`,
      );
    }
    console.log(watchAdvice(result.reports, out));
    return 0;
  } catch (err) {
    bar?.stop();
    if (err instanceof TrainInterrupted) {
      console.error(`argus train: ${err.message}`);
      return 130;
    }
    if (err instanceof DatasetError) {
      console.error(`argus train: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * What to add to Argus' options to watch the classes learnt. A class found nowhere at its
 * threshold (precision or recall 0 on the valid split) would raise only false alarms or nothing:
 * it is named, and left out.
 */
export function watchAdvice(
  reports: Record<string, { threshold: number; precision: number; recall: number; boxes: number }>,
  out: string,
  /** `models.objects.min_score`: the detector reports nothing under it, so no threshold below it can fire. */
  minScore = modelsSchema.parse({}).objects.min_score,
): string {
  const lines: string[] = [];
  const learnt = Object.entries(reports).filter(([cls, r]) => {
    if (r.precision > 0 && r.recall > 0) return true;
    lines.push(`  ${cls}: not learnt well enough to watch (precision ${r.precision.toFixed(3)}, recall ${r.recall.toFixed(3)} on ${r.boxes} valid boxes): label more photos of it`);
    return false;
  });
  if (learnt.length === 0) return lines.join('\n');
  const labels = learnt.map(([c]) => c).join(', ');
  for (const [c, r] of learnt) {
    if (r.threshold < minScore)
      lines.push(`  ${c}: its best threshold ${r.threshold} is under models.objects.min_score (${minScore}), below which nothing is reported: ${minScore} it is`);
  }
  const thresholds = learnt.map(([c, r]) => `${c}: ${Math.max(r.threshold, minScore)}`).join(', ');
  lines.push(
    `to watch them, add to Argus' options and restart:\n  models: { objects: { heads: [${out}] } }\n  analyzers: { object: { labels: [${labels}], thresholds: { ${thresholds} } } }`,
  );
  return lines.join('\n');
}
