import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { aptPackages, copyParts, debianRelease, readDockerfile, ROOT, stageArgs, stageNamed, type Stage } from './dockerfile-model.js';

const df = readDockerfile();
const final = df.stages.at(-1)!;
const runs = (stage: Stage): string[] => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const fromStage = (stage: Stage, name: string): string[] => stage.instructions.filter((i) => i.keyword === 'COPY' && i.flags.from === name).flatMap((i) => copyParts(i).sources);
const manifest = parseYaml(readFileSync(join(ROOT, 'config.yaml'), 'utf8')) as { ingress_port: number; arch: string[] };

// No Docker engine here: this checks what can be checked without building the image, and keeps
// the Dockerfile within what test/addon/rootfs.test.ts can build from it (rootfs-build.ts).
describe('the add-on Dockerfile', () => {
  it('starts every image stage from Home Assistant’s Debian base, pinned by dated tag and digest', () => {
    const image = df.globalArgs.BASE_IMAGE;
    expect(image).toMatch(/^ghcr\.io\/home-assistant\/base-debian:[a-z]+-\d{4}\.\d{2}\.\d+@sha256:[0-9a-f]{64}$/);
    expect(debianRelease(image)).toBe('trixie');
    const bases = df.stages.filter((s) => !df.stages.some((t) => t.name === s.from)).map((s) => s.from);
    expect(new Set(bases)).toEqual(new Set([image]));
    expect(final.from).toBe(image);
    // The retired ways of naming the base image must not come back.
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).not.toMatch(/BUILD_FROM/);
    expect(existsSync(join(ROOT, 'build.yaml'))).toBe(false);
  });

  it('pins a supported Node (22 or 24 LTS) with a SHA-512 per architecture, and package.json allows it', () => {
    const args = stageArgs(stageNamed(df, 'node'));
    expect(args.NODE_VERSION).toMatch(/^(22|24)\.\d+\.\d+$/);
    for (const k of ['NODE_SHA512_AMD64', 'NODE_SHA512_ARM64', 'NPM_SHA512']) expect(args[k], k).toMatch(/^[0-9a-f]{128}$/);
    expect(args.NODE_SHA512_AMD64).not.toBe(args.NODE_SHA512_ARM64);
    expect(args.NPM_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    const engines = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const [major, minor] = args.NODE_VERSION.split('.').map(Number);
    expect(engines).toContain(major === 22 ? '^22.' : '>=24');
    if (major === 22) expect(minor).toBeGreaterThanOrEqual(12);
    expect(manifest.arch.sort()).toEqual(['aarch64', 'amd64']);
  });

  it('compiles native modules in the node stage only, and gives the add-on Debian’s ffmpeg, the captions’ font and no compilers', () => {
    expect(aptPackages(stageNamed(df, 'node'))).toEqual(expect.arrayContaining(['build-essential', 'python3']));
    expect(aptPackages(final)).toEqual(['ffmpeg', 'fonts-dejavu-core']);
    for (const stage of df.stages.filter((s) => aptPackages(s).length)) {
      for (const run of runs(stage).filter((r) => r.includes('apt-get install'))) {
        expect(run).toMatch(/--no-install-recommends/);
        expect(run).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
      }
    }
  });

  it('makes production node_modules with the npm lockfile and .npmrc, compiled, then pruned for this platform', () => {
    const deps = stageNamed(df, 'deps');
    expect(deps.from).toBe('node');
    // ARGs end with their stage: the prune script needs TARGETARCH declared here.
    expect(deps.instructions.some((i) => i.keyword === 'ARG' && i.args === 'TARGETARCH')).toBe(true);
    const copied = deps.instructions.filter((i) => i.keyword === 'COPY').flatMap((i) => copyParts(i).sources);
    expect(copied).toEqual(expect.arrayContaining(['package.json', 'package-lock.json', '.npmrc']));
    const run = runs(deps).join('\n');
    expect(run).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(run).toMatch(/npm rebuild better-sqlite3/);
    expect(run).toMatch(/prune-modules\.sh \/app\/node_modules/);
    const env = stageNamed(df, 'node')
      .instructions.filter((i) => i.keyword === 'ENV')
      .map((i) => i.args)
      .join(' ');
    expect(env).toMatch(/npm_config_build_from_source=better-sqlite3/);
    expect(env).toMatch(/npm_config_nodedir=\/opt\/node/);
  });

  it('builds dist/ and models/ with exactly `npm ci` (whose `prepare` builds both), so the rootfs test may use the checkout’s', () => {
    const build = stageNamed(df, 'build');
    expect(runs(build)).toEqual(['npm ci --no-audit --no-fund']);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.prepare).toMatch(/npm run build && node dist\/cli\.js models build/);
  });

  it('copies into the add-on image only what runs', () => {
    expect(fromStage(final, 'node')).toEqual(['/opt/node/bin/node']);
    expect(fromStage(final, 'deps')).toEqual(['/app/node_modules']);
    expect(fromStage(final, 'build')).toEqual(expect.arrayContaining(['/app/dist', '/app/models', '/app/package.json']));
    expect(fromStage(final, 'build').some((p) => /\/src\b|\/test\b|node_modules\/?$/.test(p))).toBe(false);
    // …and loads each native module once, so a broken image fails to build.
    for (const m of ['onnxruntime-node', 'better-sqlite3', 'sharp']) expect(runs(final).join('\n')).toContain(`require('${m}')`);
  });

  it('runs scripts that exist, are executable and reach the build context', () => {
    const used = [...new Set(df.stages.flatMap(runs).flatMap((r) => [...r.matchAll(/\/usr\/local\/lib\/argus-build\/([\w.-]+)/g)].map((m) => m[1])))];
    expect(used.sort()).toEqual(['install-node.sh', 'prune-modules.sh']);
    for (const name of used) accessSync(join(ROOT, 'addon/build', name), constants.X_OK);
  });

  // Skipped where shellcheck is not installed (CI installs it).
  it.skipIf(spawnSync('sh', ['-c', 'command -v shellcheck']).status !== 0)('has build scripts that pass shellcheck', () => {
    const r = spawnSync('shellcheck', ['addon/build/install-node.sh', 'addon/build/prune-modules.sh'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('copies only files that exist in the repository and that .dockerignore lets through', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const local = df.stages.flatMap((s) => s.instructions).filter((i) => i.keyword === 'COPY' && !i.flags.from);
    expect(local.length).toBeGreaterThan(0);
    for (const ins of local) {
      for (const src of copyParts(ins).sources) {
        expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
        expect(
          allowed.some((a) => src === a || src.startsWith(`${a}/`) || a.startsWith(`${src}/`)),
          `${src} passes .dockerignore`,
        ).toBe(true);
      }
    }
  });

  it('checks its health on /api/health at the ingress port and starts through addon/run.sh', () => {
    const health = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
    expect(health).toHaveLength(1);
    expect(health[0].args).toContain(`http://127.0.0.1:${manifest.ingress_port}/api/health`);
    expect(final.instructions.map((i) => i.text)).toContain('COPY addon/run.sh /run.sh');
    expect(final.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.args).toBe('["/run.sh"]');
  });

  it('uses only instructions the chroot build knows, and CI runs that build', () => {
    const known = ['ARG', 'ENV', 'WORKDIR', 'SHELL', 'CMD', 'HEALTHCHECK', 'LABEL', 'EXPOSE', 'COPY', 'RUN'];
    expect(df.stages.flatMap((s) => s.instructions.map((i) => i.keyword)).filter((k) => !known.includes(k))).toEqual([]);
    const mounts = df.stages
      .flatMap((s) => s.instructions)
      .map((i) => i.flags.mount)
      .filter(Boolean);
    expect(mounts.every((m) => /^type=cache,target=\//.test(m!))).toBe(true);
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    expect(ci).toMatch(/debootstrap/);
    expect(ci).toMatch(/npm run test:addon/);
  });
});
