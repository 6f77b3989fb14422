/**
 * The add-on's Dockerfile as data: stages, their instructions, ARG defaults, apt packages. Read by
 * the lint (dockerfile.test.ts) and by the chroot build (rootfs-build.ts), so both see one file.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

export interface Instruction {
  /** Upper-case keyword: RUN, COPY, ARG, … */
  keyword: string;
  /** The rest of the line, continuation lines joined, `--flag=value` options removed. */
  args: string;
  /** `--from=deps`, `--mount=type=cache,target=/root/.npm` … by name (mount may repeat: joined with a space). */
  flags: Record<string, string>;
  /** The instruction as written (continuations joined), for cache keys and messages. */
  text: string;
}

export interface Stage {
  /** `AS <name>`, or undefined for an unnamed stage (the final one). */
  name?: string;
  /** The image or stage it starts from, ARGs expanded. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string>;
  stages: Stage[];
}

/** Joins `\`-continued lines and drops comments and blank lines (as Docker does). */
export function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1).trim()} `;
      continue;
    }
    const joined = (pending + line).trim();
    pending = '';
    if (joined) out.push(joined);
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

function parseInstruction(line: string): Instruction {
  const keyword = line.split(/\s+/, 1)[0].toUpperCase();
  let rest = line.slice(keyword.length).trim();
  const flags: Record<string, string> = {};
  for (let m = /^--([a-z-]+)=(\S+)\s*/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s*/.exec(rest)) {
    flags[m[1]] = flags[m[1]] ? `${flags[m[1]]} ${m[2]}` : m[2];
    rest = rest.slice(m[0].length);
  }
  return { keyword, args: rest, flags, text: line };
}

/** `${NAME}` and `$NAME` replaced from `vars`; unknown names become empty, as in Docker. */
export function expand(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string | undefined, b: string | undefined) => vars[(a ?? b)!] ?? '');
}

/** `NAME=value` (value may be quoted) or a bare `NAME`. */
export function parseArg(args: string): [string, string | undefined] {
  const eq = args.indexOf('=');
  if (eq < 0) return [args.trim(), undefined];
  return [
    args.slice(0, eq).trim(),
    args
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1'),
  ];
}

/** `A=1 B="two words"` as pairs, in order. */
export function parseEnv(args: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g;
  for (let m = re.exec(args); m; m = re.exec(args)) pairs.push([m[1], m[2].replace(/^"(.*)"$/s, '$1')]);
  return pairs;
}

export function parseDockerfile(text: string): Dockerfile {
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logicalLines(text)) {
    const ins = parseInstruction(line);
    if (ins.keyword === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile: cannot read "${line}"`);
      stages.push({ from: expand(m[1], globalArgs), name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword !== 'ARG') throw new Error(`Dockerfile: only ARG may come before the first FROM, got "${line}"`);
      const [name, value] = parseArg(ins.args);
      globalArgs[name] = value ?? '';
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

export function readDockerfile(path = join(ROOT, 'Dockerfile')): Dockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

export function stageNamed(df: Dockerfile, name: string): Stage {
  const s = df.stages.find((st) => st.name === name);
  if (!s) throw new Error(`Dockerfile: no stage named ${name}`);
  return s;
}

/** The ARG defaults a stage declares (its own ARG lines). */
export function stageArgs(stage: Stage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ins of stage.instructions.filter((i) => i.keyword === 'ARG')) {
    const [name, value] = parseArg(ins.args);
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Every package named by `apt-get install` in a stage's RUN lines. */
export function aptPackages(stage: Stage): string[] {
  const out: string[] = [];
  for (const ins of stage.instructions.filter((i) => i.keyword === 'RUN')) {
    for (const m of ins.args.matchAll(/apt-get install((?:\s+[^\s&;|]+)+)/g)) {
      out.push(
        ...m[1]
          .trim()
          .split(/\s+/)
          .filter((w) => !w.startsWith('-')),
      );
    }
  }
  return out;
}

/** COPY's sources and destination (after its flags). */
export function copyParts(ins: Instruction): { sources: string[]; dest: string } {
  const words = ins.args.split(/\s+/);
  return { sources: words.slice(0, -1), dest: words.at(-1)! };
}

/** The Debian release a `…/base-debian:<release>-<date>@sha256:…` image is built on. */
export function debianRelease(image: string): string {
  const m = /\/base-debian:([a-z]+)(?:-[0-9.]+)?(?:@sha256:[0-9a-f]{64})?$/.exec(image);
  if (!m) throw new Error(`not a Home Assistant Debian base image: ${image}`);
  return m[1];
}
