import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

/** One labelled box, normalised 0–1 (YOLO: centre x, centre y, width, height). */
export interface YoloBox {
  cls: number;
  cx: number;
  cy: number;
  w: number;
  h: number;
}

export interface YoloImage {
  image: string;
  boxes: YoloBox[];
}

export interface YoloSplit {
  /** Class names in the order of `cls` in every box (the selected classes, not the file's). */
  classes: string[];
  images: YoloImage[];
  /** Polygon lines turned into their bounding box, and boxes of classes not selected. */
  converted: number;
  dropped: number;
  /** Images without a label file: photos with nothing to find, as Ultralytics takes them. */
  unlabelled: number;
}

/** Label problems listed at once, each with its file and line; the rest counted. */
const LISTED_PROBLEMS = 10;

/** A problem with the dataset itself; the message names the file and line. */
export class DatasetError extends Error {
  readonly code = 'bad_dataset';
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp']);

/** The folder names a split goes by (Roboflow writes `valid`, Ultralytics `val`). */
const SPLIT_NAMES: Record<string, string[]> = { train: ['train'], valid: ['valid', 'val'], test: ['test'] };

/** Class names from `data.yaml` (`names:` as a list or an index map), else `classes.txt`; each once, in any case. */
export async function readClassNames(root: string): Promise<string[]> {
  const names = await namesOf(root);
  const seen = new Map<string, string>();
  for (const name of names) {
    const other = seen.get(name.toLowerCase());
    // two channels of one name: the head could never be merged (its classes must differ)
    if (other !== undefined)
      throw new DatasetError(`${root}: the class "${name}" is named twice${other !== name ? ` (as "${other}" too)` : ''}; each class needs a name of its own`);
    seen.set(name.toLowerCase(), name);
  }
  return names;
}

async function namesOf(root: string): Promise<string[]> {
  if (!existsSync(root)) throw new DatasetError(`${root}: no such folder`);
  const yamlPath = ['data.yaml', 'data.yml'].map((f) => join(root, f)).find((p) => existsSync(p));
  if (yamlPath) {
    const doc = parseYaml(await readFile(yamlPath, 'utf8')) as { names?: unknown; nc?: unknown } | null;
    const names = doc?.names;
    const count = (n: number) => {
      // `nc` beside `names` that disagree: a stale export, whose labels' class ids may mean other things
      if (typeof doc?.nc === 'number' && doc.nc !== n) throw new DatasetError(`${yamlPath}: nc is ${doc.nc} but "names" lists ${n} classes; make them agree`);
    };
    if (Array.isArray(names) && names.every((n) => typeof n === 'string')) {
      count(names.length);
      return names;
    }
    if (names && typeof names === 'object') {
      const entries = Object.entries(names as Record<string, unknown>);
      if (entries.every(([k, v]) => /^\d+$/.test(k) && typeof v === 'string')) {
        const out: string[] = [];
        for (const [k, v] of entries) out[Number(k)] = v as string;
        count(out.length);
        return out;
      }
    }
    throw new DatasetError(`${yamlPath}: "names" must be a list of class names`);
  }
  const txt = join(root, 'classes.txt');
  if (existsSync(txt))
    return (await readFile(txt, 'utf8'))
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
  throw new DatasetError(`${root}: no data.yaml or classes.txt naming the classes`);
}

/** `<root>/<split>/images/*` with `<root>/<split>/labels/<same name>.txt`. */
export async function readYoloSplit(root: string, split: 'train' | 'valid' | 'test', selected?: string[]): Promise<YoloSplit> {
  const fileClasses = await readClassNames(root);
  const classes = selected?.length ? selected : fileClasses;
  const unknown = classes.filter((c) => !fileClasses.includes(c));
  if (unknown.length > 0) throw new DatasetError(`${root}: no class ${unknown.join(', ')} (the dataset has ${fileClasses.join(', ')})`);
  const remap = fileClasses.map((c) => classes.indexOf(c));
  const dir = SPLIT_NAMES[split].map((s) => join(root, s)).find((d) => existsSync(join(d, 'images')));
  if (!dir) throw new DatasetError(`${root}: no ${SPLIT_NAMES[split].join(' or ')}/images folder`);
  const files = (await readdir(join(dir, 'images'))).filter((f) => IMAGE_EXT.has(extname(f).toLowerCase())).sort();
  const images: YoloImage[] = [];
  let converted = 0;
  let dropped = 0;
  let unlabelled = 0;
  const problems: string[] = [];
  for (const f of files) {
    const labelPath = join(dir, 'labels', `${basename(f, extname(f))}.txt`);
    let text: string;
    try {
      text = await readFile(labelPath, 'utf8');
    } catch {
      // Exports leave out the empty files of photos with nothing on them: Ultralytics reads such a photo as background.
      unlabelled++;
      images.push({ image: join(dir, 'images', f), boxes: [] });
      continue;
    }
    const parsed = readLabelLines(text, labelPath, fileClasses.length);
    problems.push(...parsed.problems);
    converted += parsed.converted;
    const boxes: YoloBox[] = [];
    for (const b of parsed.boxes) {
      const cls = remap[b.cls];
      if (cls < 0) dropped++;
      else boxes.push({ ...b, cls });
    }
    images.push({ image: join(dir, 'images', f), boxes });
  }
  if (images.length === 0) throw new DatasetError(`${dir}/images holds no images`);
  // Not one label file: the labels are somewhere else (or named otherwise), not a folder of background.
  if (unlabelled === images.length)
    throw new DatasetError(
      `${dir}/labels has no label file for any of the ${images.length} images (each image's is labels/<its name>.txt: images/${basename(files[0])} → labels/${basename(files[0], extname(files[0]))}.txt)`,
    );
  if (problems.length) throw new DatasetError(problemList(problems));
  return { classes, images, converted, dropped, unlabelled };
}

function problemList(problems: string[]): string {
  const more = problems.length - LISTED_PROBLEMS;
  const head = problems.length === 1 ? problems[0] : `${problems.length} problems in the labels:\n  ${problems.slice(0, LISTED_PROBLEMS).join('\n  ')}`;
  return more > 0 ? `${head}\n  … and ${more} more` : head;
}

/**
 * Parses one YOLO label file. A line of more than 5 numbers is a segmentation polygon
 * (class x1 y1 x2 y2 …): its bounding box is used. Every bad line is named in the error.
 */
export function parseLabels(text: string, path: string, classCount: number): { boxes: YoloBox[]; converted: number } {
  const { boxes, converted, problems } = readLabelLines(text, path, classCount);
  if (problems.length) throw new DatasetError(problemList(problems));
  return { boxes, converted };
}

/** The good lines as boxes, and each bad one as a problem naming its file and line. */
function readLabelLines(text: string, path: string, classCount: number): { boxes: YoloBox[]; converted: number; problems: string[] } {
  const boxes: YoloBox[] = [];
  const problems: string[] = [];
  let converted = 0;
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    const where = `${path}:${i + 1}`;
    const parts = line.split(/\s+/);
    const nums = parts.map(Number);
    if (nums.some((n) => !Number.isFinite(n))) {
      problems.push(`${where}: not a YOLO label line (numbers expected): "${line.slice(0, 60)}"`);
      continue;
    }
    const cls = nums[0];
    if (!Number.isInteger(cls) || cls < 0 || cls >= classCount) {
      problems.push(`${where}: class ${parts[0]} is not one of 0–${classCount - 1}`);
      continue;
    }
    let box: YoloBox;
    if (nums.length === 5) {
      box = { cls, cx: nums[1], cy: nums[2], w: nums[3], h: nums[4] };
    } else if (nums.length >= 7 && nums.length % 2 === 1) {
      const xs = nums.slice(1).filter((_, k) => k % 2 === 0);
      const ys = nums.slice(1).filter((_, k) => k % 2 === 1);
      const [x1, x2, y1, y2] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
      box = { cls, cx: (x1 + x2) / 2, cy: (y1 + y2) / 2, w: x2 - x1, h: y2 - y1 };
      converted++;
    } else {
      problems.push(`${where}: expected "class cx cy w h" (or a polygon), got ${nums.length} numbers`);
      continue;
    }
    const inRange = [box.cx, box.cy, box.w, box.h].every((v) => v >= -0.01 && v <= 1.01);
    if (!inRange || box.w <= 0 || box.h <= 0) {
      problems.push(`${where}: box ${parts.slice(1, 5).join(' ')} is not inside 0–1 with a positive size`);
      continue;
    }
    boxes.push(box);
  }
  return { boxes, converted, problems };
}
