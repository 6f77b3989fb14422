/**
 * Builds the Dockerfile's stages as root filesystems, without Docker: FROM the Home Assistant
 * base is a debootstrap stand-in (base-rootfs.ts), RUN runs in a chroot, COPY copies, and ARG,
 * ENV, WORKDIR and SHELL keep the state Docker would. Every step is cached by a key over what it
 * depends on (layer-cache.ts), so a second run only redoes what changed.
 *
 * A stage can be taken from the host instead of built (`hostStages`): the build stage runs the
 * same `npm ci` (with `prepare`) that made this checkout's dist/ and models/, so those are used.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, posix } from 'node:path';
import { BASE_RECIPE_VERSION, HA_BASE_ENV, HA_BASE_SHELL, buildBaseRootfs } from './base-rootfs.js';
import { DEFAULT_PATH, chrootRun, unmountAll, type ChrootMount } from './chroot.js';
import { copyParts, debianRelease, expand, parseArg, parseEnv, ROOT, type Dockerfile, type Instruction, type Stage } from './dockerfile-model.js';
import { LayerCache, hash, hashPaths } from './layer-cache.js';
import { retryOnNetwork } from './network-retry.js';

export interface BuildOptions {
  cacheDir: string;
  /** TARGETARCH: amd64 | arm64. */
  arch: 'amd64' | 'arm64';
  /** Stages not built but read from the host: stage name → { path in the stage: host path }. */
  hostStages?: Record<string, Record<string, string>>;
  log: (line: string) => void;
}

/** What a built stage leaves: its root filesystem and the image config Docker would record. */
export interface BuiltStage {
  root: string;
  key: string;
  env: Record<string, string>;
  workdir: string;
  shell: string[];
  cmd?: string[];
  healthcheck?: string;
}

interface State extends BuiltStage {
  args: Record<string, string>;
}

/** Environment every RUN gets so that TLS works here as on the host (a proxy's CA, if any). */
function hostTlsEnv(): Record<string, string> {
  return process.env.NODE_EXTRA_CA_CERTS ? { NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt' } : {};
}

/** Docker gives every RUN the host's resolver; here the CA bundle too (it may hold a proxy's CA). */
export function giveHostNetworkFiles(root: string): void {
  for (const f of ['/etc/resolv.conf', '/etc/ssl/certs/ca-certificates.crt']) {
    if (!existsSync(f)) continue;
    mkdirSync(dirname(join(root, f)), { recursive: true });
    spawnSync('rm', ['-f', join(root, f)]);
    copyFileSync(f, join(root, f));
  }
}

/** Paths matching `path`, where only its last part may hold `*` or `?` (as the Dockerfile uses them). */
function glob(path: string): string[] {
  const name = basename(path);
  if (!/[*?]/.test(name)) return [path];
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  const dir = dirname(path);
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((n) => re.test(n))
        .sort()
        .map((n) => join(dir, n))
    : [];
}

function npmCacheDir(): string {
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : join(homedir(), '.npm');
}

/** `--mount=type=cache,target=X` as a bind of a host cache (the host's npm cache for /root/.npm). */
function cacheMounts(ins: Instruction, cacheDir: string): ChrootMount[] {
  if (!ins.flags.mount) return [];
  return ins.flags.mount.split(' ').map((spec) => {
    const opts = Object.fromEntries(spec.split(',').map((kv) => kv.split('=') as [string, string]));
    if (opts.type !== 'cache' || !opts.target) throw new Error(`RUN --mount=${spec}: only type=cache is supported here`);
    const host = opts.target === '/root/.npm' ? npmCacheDir() : join(cacheDir, 'mount-cache', opts.target.replace(/\//g, '_'));
    mkdirSync(host, { recursive: true });
    return { target: opts.target, kind: { bind: host } };
  });
}

export class RootfsBuilder {
  private readonly cache: LayerCache;
  private readonly keys = new Map<string, string>();
  private readonly building = new Map<string, Promise<BuiltStage>>();
  private readonly bases = new Map<string, Promise<void>>();

  constructor(
    private readonly df: Dockerfile,
    private readonly opts: BuildOptions,
  ) {
    // Mounts a killed run left behind would otherwise end up inside cached layers.
    unmountAll(opts.cacheDir);
    this.cache = new LayerCache(opts.cacheDir);
  }

  private stage(ref: string): Stage | undefined {
    return this.df.stages.find((s) => s.name === ref);
  }

  private hostStage(ref: string | undefined): Record<string, string> | undefined {
    return ref ? this.opts.hostStages?.[ref] : undefined;
  }

  /** Host path standing for `path` inside a host stage. */
  private hostPath(map: Record<string, string>, path: string): string {
    for (const [inStage, host] of Object.entries(map)) {
      if (path === inStage || path.startsWith(`${inStage}/`)) return join(host, path.slice(inStage.length));
    }
    throw new Error(`${path} is not provided by the host for this stage`);
  }

  /** Sources of a COPY as host paths (globs expanded), whether from the context or a stage. */
  private async copySources(ins: Instruction, sources: string[], vars: Record<string, string>): Promise<string[]> {
    const from = ins.flags.from;
    const expanded = sources.map((s) => expand(s, vars));
    const host = this.hostStage(from);
    const base = from === undefined ? ROOT : host ? undefined : (await this.build(this.stage(from)!)).root;
    const out: string[] = [];
    for (const src of expanded) {
      const path = host ? this.hostPath(host, src) : join(base!, src);
      const found = glob(path);
      if (found.length === 0 || !found.every((f) => existsSync(f))) throw new Error(`${ins.text}: ${src} not found`);
      out.push(...found);
    }
    return out;
  }

  /** The cache key of a stage's end, computed without building anything. */
  stageKey(stage: Stage): string {
    const id = stage.name ?? '(final)';
    const known = this.keys.get(id);
    if (known) return known;
    let key = this.stage(stage.from) ? this.stageKey(this.stage(stage.from)!) : hash('base', stage.from, this.opts.arch, String(BASE_RECIPE_VERSION));
    const vars: Record<string, string> = { ...this.df.globalArgs, TARGETARCH: this.opts.arch };
    for (const ins of stage.instructions) key = this.stepKey(key, ins, vars);
    this.keys.set(id, key);
    return key;
  }

  private stepKey(prev: string, ins: Instruction, vars: Record<string, string>): string {
    if (ins.keyword !== 'COPY') return hash(prev, ins.text, ins.keyword === 'ARG' ? (vars[parseArg(ins.args)[0]] ?? '') : '');
    const { sources } = copyParts(ins);
    const from = ins.flags.from;
    if (from && !this.hostStage(from)) return hash(prev, ins.text, this.stageKey(this.stage(from)!));
    const paths = sources.map((s) => (from ? this.hostPath(this.hostStage(from)!, s) : join(ROOT, s))).flatMap(glob);
    return hash(prev, ins.text, hashPaths(paths, from ? '/' : ROOT));
  }

  /**
   * Builds `stage` (and the stages it needs), reusing cached steps. Stages that do not depend on
   * each other build at the same time, as BuildKit does (a compile beside an apt download).
   */
  build(stage: Stage): Promise<BuiltStage> {
    const id = stage.name ?? '(final)';
    let p = this.building.get(id);
    if (!p) {
      p = this.buildStage(stage, id);
      p.catch(() => undefined); // awaited by whoever needs it; not an unhandled rejection meanwhile
      this.building.set(id, p);
    }
    return p;
  }

  /** The Home Assistant base stand-in, made once per key. */
  private base(stage: Stage, key: string, id: string): Promise<void> {
    let p = this.bases.get(key);
    if (!p) {
      p = (async () => {
        if (this.cache.has(key)) return;
        this.opts.log(`[${id}] FROM ${stage.from}: debootstrap ${debianRelease(stage.from)} (${this.opts.arch})`);
        const work = this.cache.workDir();
        await buildBaseRootfs(work, debianRelease(stage.from), this.opts.arch, this.opts.log);
        this.cache.commit(work, key);
      })();
      this.bases.set(key, p);
    }
    return p;
  }

  private async buildStage(stage: Stage, id: string): Promise<BuiltStage> {
    for (const ins of stage.instructions) {
      const from = ins.flags.from;
      if (ins.keyword === 'COPY' && from && !this.hostStage(from)) void this.build(this.stage(from)!);
    }
    const parent = this.stage(stage.from);
    const parentBuilt = parent ? await this.build(parent) : undefined;
    const state: State = parentBuilt
      ? { ...parentBuilt, env: { ...parentBuilt.env }, args: {} }
      : {
          root: '',
          key: hash('base', stage.from, this.opts.arch, String(BASE_RECIPE_VERSION)),
          env: { PATH: DEFAULT_PATH, ...HA_BASE_ENV },
          workdir: '/',
          shell: HA_BASE_SHELL,
          args: {},
        };
    const vars = (): Record<string, string> => ({ ...state.args, ...state.env });

    // Keys of every step, then where the cache lets the build start.
    const keys: string[] = [];
    const keyVars: Record<string, string> = { ...this.df.globalArgs, TARGETARCH: this.opts.arch };
    let k = state.key;
    for (const ins of stage.instructions) {
      k = this.stepKey(k, ins, keyVars);
      keys.push(k);
    }
    const endKey = keys.at(-1) ?? state.key;
    if (!parent) await this.base(stage, state.key, id);
    let resume = -1;
    for (let i = keys.length - 1; i >= 0; i--) {
      if (this.cache.has(keys[i])) {
        resume = i;
        break;
      }
    }
    const startLayer = resume >= 0 ? keys[resume] : state.key;
    let work: string | undefined;
    const workDir = (): string => (work ??= this.cache.workDir(startLayer));

    for (const [i, ins] of stage.instructions.entries()) {
      const replay = i > resume;
      // A stage this step copies from is awaited first: its build time is not this step's.
      if (replay && ins.keyword === 'COPY' && ins.flags.from && !this.hostStage(ins.flags.from)) await this.build(this.stage(ins.flags.from)!);
      const started = Date.now();
      switch (ins.keyword) {
        case 'ARG': {
          const [name, value] = parseArg(ins.args);
          state.args[name] = name === 'TARGETARCH' ? this.opts.arch : (value ?? this.df.globalArgs[name] ?? '');
          break;
        }
        case 'ENV':
          for (const [name, value] of parseEnv(ins.args)) state.env[name] = expand(value, vars());
          break;
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, expand(ins.args, vars()));
          if (replay) mkdirSync(join(workDir(), state.workdir), { recursive: true });
          break;
        case 'SHELL':
          state.shell = JSON.parse(ins.args) as string[];
          break;
        case 'CMD':
          state.cmd = ins.args.startsWith('[') ? (JSON.parse(ins.args) as string[]) : [...state.shell, ins.args];
          break;
        case 'HEALTHCHECK':
          state.healthcheck = ins.args.replace(/^.*?\bCMD\s+/, '');
          break;
        case 'LABEL':
        case 'EXPOSE':
          break;
        case 'COPY':
          if (replay) await this.copy(workDir(), ins, state);
          break;
        case 'RUN':
          if (replay) await this.run(workDir(), ins, state, id);
          break;
        default:
          throw new Error(`${ins.text}: the chroot build does not know ${ins.keyword}; teach test/addon/rootfs-build.ts`);
      }
      // Slow steps get their own layer, so a later change does not redo them.
      if (replay && work && i < keys.length - 1 && Date.now() - started > 15_000) {
        this.cache.commit(work, keys[i]);
        work = this.cache.workDir(keys[i]);
      }
    }
    if (!this.cache.has(endKey)) this.cache.commit(workDir(), endKey);
    return { root: this.cache.path(endKey), key: endKey, env: state.env, workdir: state.workdir, shell: state.shell, cmd: state.cmd, healthcheck: state.healthcheck };
  }

  private async copy(root: string, ins: Instruction, state: State): Promise<void> {
    const { sources, dest } = copyParts(ins);
    const paths = await this.copySources(ins, sources, { ...state.args, ...state.env });
    const target = posix.resolve(state.workdir, expand(dest, { ...state.args, ...state.env }));
    const intoDir = dest.endsWith('/') || paths.length > 1 || statSync(paths[0]).isDirectory();
    mkdirSync(join(root, intoDir ? target : posix.dirname(target)), { recursive: true });
    for (const p of paths) {
      // Docker copies a directory's contents, and a file into the directory or to the name given.
      const args = statSync(p).isDirectory() ? [`${p}/.`, join(root, target)] : [p, intoDir ? join(root, target, posix.basename(p)) : join(root, target)];
      // Owned by root, as Docker's COPY makes them.
      const r = spawnSync('cp', ['-a', '--no-preserve=ownership', ...args], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${ins.text}: cp ${args.join(' ')}: ${r.stderr}`);
    }
  }

  private async run(root: string, ins: Instruction, state: State, id: string): Promise<void> {
    giveHostNetworkFiles(root);
    this.opts.log(`[${id}] RUN ${ins.args.slice(0, 110)}${ins.args.length > 110 ? '…' : ''}`);
    const started = Date.now();
    // apt-get and npm ci, the steps that fetch, start over by themselves, so a step is run again in place.
    const attempt = () =>
      chrootRun({
        root,
        argv: [...state.shell, ins.args],
        env: { HOME: '/root', ...hostTlsEnv(), ...state.args, ...state.env },
        cwd: state.workdir,
        mounts: [{ target: '/proc', kind: 'proc' }, { target: '/dev/shm', kind: 'tmpfs' }, ...cacheMounts(ins, this.opts.cacheDir)],
      });
    const { code, output } = await retryOnNetwork(`[${id}] RUN`, attempt, { log: this.opts.log });
    if (code !== 0) throw new Error(`[${id}] RUN failed (exit ${code}): ${ins.text}\n${output.split('\n').slice(-40).join('\n')}`);
    this.opts.log(`[${id}]   done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  /** Drops cached layers this build did not use. */
  prune(): void {
    this.cache.prune();
  }
}
