/**
 * The aarch64 image's native modules, checked on this amd64 machine with qemu-user: Node for
 * arm64 from the Dockerfile's pins (addon/build/install-node.sh), production node_modules as
 * npm installs them for linux/arm64/glibc, pruned by addon/build/prune-modules.sh, run against
 * the libraries of an arm64 Debian (debootstrap's first stage: packages unpacked, not configured).
 *
 * Not the whole image: better-sqlite3 is compiled in the image's deps stage, which under
 * emulation takes far too long here, so it is left out (`--ignore-scripts`). Opt-in, as it
 * downloads an arm64 Debian and Node: ARGUS_ADDON_ARM64=1 npm run test:addon.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_MIRROR, baseUnavailable } from './base-rootfs.js';
import { removeTree } from './chroot.js';
import { debianRelease, readDockerfile, ROOT, stageArgs, stageNamed } from './dockerfile-model.js';
import { hash, hashPaths } from './layer-cache.js';
import { type RetryOptions, retryOnNetwork, type StepResult } from './network-retry.js';

const dockerfile = readDockerfile();
const release = debianRelease(dockerfile.stages.at(-1)!.from);
const QEMU = '/usr/bin/qemu-aarch64-static';
const CACHE = join(ROOT, '.cache/addon-rootfs/arm64-modules');

async function unavailable(): Promise<string | undefined> {
  if (process.env.ARGUS_ADDON_ARM64 !== '1') return 'opt-in: ARGUS_ADDON_ARM64=1 (downloads an arm64 Debian and Node, a few minutes cold)';
  if (!existsSync(QEMU)) return `${QEMU} is missing (apt-get install qemu-user-static)`;
  return baseUnavailable(release);
}
const reason = await unavailable();

/** What an arm64 kernel shows of one Neoverse-N1 core. */
const ARM_CPUINFO = `processor\t: 0
BogoMIPS\t: 50.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
CPU revision\t: 1

`;

/**
 * qemu-user passes this machine's x86 /proc/cpuinfo and /sys CPU topology through, where
 * onnxruntime's cpuinfo finds no ARM core and crashes. With `-L root` qemu opens absolute paths
 * under the root first, so the root describes an ARM core as an arm64 kernel would.
 */
function describeArmCpu(root: string): void {
  const proc = join(root, 'proc');
  // debootstrap's first stage links proc to the host's /proc: never write through that link.
  if (lstatSync(proc).isSymbolicLink()) rmSync(proc);
  mkdirSync(proc, { recursive: true });
  writeFileSync(join(proc, 'cpuinfo'), ARM_CPUINFO);
  const cpu = join(root, 'sys/devices/system/cpu');
  mkdirSync(cpu, { recursive: true });
  for (const f of ['possible', 'present', 'online']) writeFileSync(join(cpu, f), '0\n');
}

type ShOptions = { cwd?: string; env?: NodeJS.ProcessEnv };

function shOnce(cmd: string, args: string[], opts: ShOptions): StepResult & { stdout: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts, env: { ...process.env, ...opts.env } });
  return { code: r.status, output: r.stdout + r.stderr, stdout: r.stdout };
}

function failed(cmd: string, args: string[], r: StepResult): Error {
  return new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}):\n${r.output.split('\n').slice(-25).join('\n')}`);
}

function sh(cmd: string, args: string[], opts: ShOptions = {}): string {
  const r = shOnce(cmd, args, opts);
  if (r.code !== 0) throw failed(cmd, args, r);
  return r.stdout;
}

/** `sh` for a step that fetches (network-retry.ts): tried again after a network failure, or any with `anyFailure`. */
async function fetchingSh(cmd: string, args: string[], opts: ShOptions & Pick<RetryOptions, 'anyFailure' | 'reset'> = {}): Promise<void> {
  const r = await retryOnNetwork(cmd, async () => shOnce(cmd, args, opts), { ...opts, log: (line) => console.info(`[test:addon arm64] ${line}`) });
  if (r.code !== 0) throw failed(cmd, args, r);
}

describe.skipIf(Boolean(reason))(`the aarch64 image’s native modules, under qemu${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let root: string;
  const nodeArgs = stageArgs(stageNamed(dockerfile, 'node'));
  const run = (script: string): string => sh(QEMU, ['-L', root, join(root, 'opt/node/bin/node'), '-e', script], { cwd: join(root, 'app') });

  beforeAll(async () => {
    const files = ['package.json', 'package-lock.json', '.npmrc', 'addon/build/install-node.sh', 'addon/build/prune-modules.sh'].map((f) => join(ROOT, f));
    const key = hash(release, JSON.stringify(nodeArgs), hashPaths(files, ROOT));
    root = join(CACHE, key);
    if (existsSync(join(CACHE, `${key}.done`))) return;
    removeTree(CACHE);
    mkdirSync(root, { recursive: true });
    // The first stage only: unpacked, with the dynamic loader and libstdc++ the modules need.
    await fetchingSh('debootstrap', ['--foreign', '--variant=minbase', '--arch=arm64', release, root, DEBIAN_MIRROR], {
      anyFailure: true, // as in base-rootfs.ts
      reset: () => {
        removeTree(root);
        mkdirSync(root, { recursive: true });
      },
    });
    describeArmCpu(root);
    await fetchingSh('sh', [join(ROOT, 'addon/build/install-node.sh')], {
      env: { ...nodeArgs, TARGETARCH: 'arm64', NODE_PREFIX: join(root, 'opt/node'), NODE_RUN: `${QEMU} -L ${root}` },
    });
    mkdirSync(join(root, 'app'));
    for (const f of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(ROOT, f), join(root, 'app', f));
    await fetchingSh('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--os=linux', '--cpu=arm64', '--libc=glibc'], { cwd: join(root, 'app') });
    // The script insists on a compiled better-sqlite3, which is not built here (see above): an
    // empty stand-in lets it run, and goes again at once; nothing below loads better-sqlite3.
    const addonFile = join(root, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node');
    mkdirSync(join(addonFile, '..'), { recursive: true });
    writeFileSync(addonFile, '');
    sh('sh', [join(ROOT, 'addon/build/prune-modules.sh'), join(root, 'app/node_modules')], { env: { TARGETARCH: 'arm64' } });
    removeTree(addonFile);
    writeFileSync(join(CACHE, `${key}.done`), new Date().toISOString());
  }, 900_000);

  it('runs the pinned Node for arm64', () => {
    expect(run('console.log(process.version, process.arch)').trim()).toBe(`v${nodeArgs.NODE_VERSION} arm64`);
  });

  it('loads onnxruntime-node’s linux/arm64 binding and runs a model', () => {
    const script = `
      const ort = require('onnxruntime-node');
      (async () => {
        const s = await ort.InferenceSession.create(${JSON.stringify(join(ROOT, 'models/movenet-lightning.onnx'))});
        const input = new ort.Tensor('int32', new Int32Array(192 * 192 * 3), [1, 192, 192, 3]);
        const out = await s.run({ [s.inputNames[0]]: input });
        console.log(JSON.stringify(Object.values(out)[0].dims));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    expect(JSON.parse(run(script).trim().split('\n').at(-1)!)).toEqual([1, 1, 17, 3]);
  }, 120_000);

  it('loads sharp with its linux-arm64 libvips and encodes an image', () => {
    const script = `
      const sharp = require('sharp');
      sharp({ create: { width: 5, height: 4, channels: 3, background: '#00ff00' } }).jpeg().toBuffer()
        .then((b) => sharp(b).metadata()).then((m) => console.log(JSON.stringify([m.format, m.width, m.height])))
        .catch((e) => { console.error(e); process.exit(1); });`;
    expect(JSON.parse(run(script).trim().split('\n').at(-1)!)).toEqual(['jpeg', 5, 4]);
    expect(existsSync(join(root, 'app/node_modules/@img/sharp-linux-arm64'))).toBe(true);
    expect(existsSync(join(root, 'app/node_modules/@img/sharp-linux-x64'))).toBe(false);
  }, 120_000);
});
