/**
 * A stand-in for Home Assistant's Debian base image (ghcr.io/home-assistant/base-debian), made
 * with debootstrap: Debian's slim image (docs, man pages and locales left out, apt's lists and
 * downloads cleaned) plus the packages and environment home-assistant/docker-base's
 * debian/Dockerfile adds. Its s6-overlay, bashio and tempio come from GitHub, which cannot be
 * reached here: run.sh is run with bash and takes its no-bashio path (curl + node).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from './chroot.js';
import { retryOnNetwork } from './network-retry.js';

/** debian/Dockerfile of home-assistant/docker-base: "Base system packages". */
export const HA_BASE_PACKAGES = ['bash', 'jq', 'tzdata', 'curl', 'ca-certificates', 'xz-utils'];
/** Its ENV (the s6 ones do nothing without s6-overlay). */
export const HA_BASE_ENV: Record<string, string> = {
  LANG: 'C.UTF-8',
  DEBIAN_FRONTEND: 'noninteractive',
  CURL_CA_BUNDLE: '/etc/ssl/certs/ca-certificates.crt',
};
/** Its SHELL, which RUN lines of images built on it use. */
export const HA_BASE_SHELL = ['/bin/bash', '-o', 'pipefail', '-c'];
/** Bumped when this file changes what the base holds, so cached layers are rebuilt. */
export const BASE_RECIPE_VERSION = 1;

export const DEBIAN_MIRROR = process.env.ARGUS_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';

/** Debian's docker images: dpkg leaves these out (debuerreotype's slimify list). */
const SLIM_EXCLUDES = `path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
`;
/** …and apt keeps no downloaded .deb files. */
const APT_CLEAN = `DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";
`;

function sources(release: string, mirror: string): string {
  const security = mirror.replace(/\/debian\/?$/, '/debian-security');
  return `Types: deb
URIs: ${mirror}
Suites: ${release} ${release}-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${security}
Suites: ${release}-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;
}

/** Deletes what the slim excludes would have kept out, for files debootstrap already unpacked. */
function slimify(root: string): void {
  for (const dir of ['usr/share/groff', 'usr/share/info', 'usr/share/linda', 'usr/share/lintian/overrides', 'usr/share/locale', 'usr/share/man']) {
    removeTree(join(root, dir));
    mkdirSync(join(root, dir), { recursive: true });
  }
  const docs = join(root, 'usr/share/doc');
  for (const pkg of readdirSync(docs)) {
    for (const f of readdirSync(join(docs, pkg))) if (f !== 'copyright') removeTree(join(docs, pkg, f));
  }
}

/** Runs a command to its end without blocking the event loop (other stages build meanwhile). */
function run(cmd: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

const tail = (s: string): string => s.split('\n').slice(-20).join('\n');

/**
 * debootstraps `release` for `arch` (Debian's name: amd64, arm64) into `root`. A foreign arch
 * runs its second stage through qemu-user-static (binfmt).
 */
export async function buildBaseRootfs(root: string, release: string, arch: string, log: (s: string) => void): Promise<void> {
  removeTree(root);
  mkdirSync(root, { recursive: true });
  const native = spawnSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).stdout.trim() === arch;
  const args = ['--variant=minbase', `--arch=${arch}`, `--include=${HA_BASE_PACKAGES.join(',')}`, release, root, DEBIAN_MIRROR];
  log(`debootstrap ${args.join(' ')}`);
  // Any failure is tried again on an empty root: debootstrap's own are the mirror's (a file
  // mid-sync, a dropped connection), and it does not always say so in words networkFailure knows.
  const first = await retryOnNetwork('debootstrap', () => run('debootstrap', native ? args : ['--foreign', ...args]), {
    anyFailure: true,
    reset: () => {
      removeTree(root);
      mkdirSync(root, { recursive: true });
    },
    log,
  });
  if (first.code !== 0) throw new Error(`debootstrap failed:\n${tail(first.output)}`);
  if (!native) {
    const second = await run('chroot', [root, '/debootstrap/debootstrap', '--second-stage']);
    if (second.code !== 0) throw new Error(`debootstrap --second-stage failed:\n${tail(second.output)}`);
  }
  writeFileSync(join(root, 'etc/dpkg/dpkg.cfg.d/docker'), SLIM_EXCLUDES);
  writeFileSync(join(root, 'etc/apt/apt.conf.d/docker-clean'), APT_CLEAN);
  writeFileSync(join(root, 'etc/apt/apt.conf.d/docker-no-recommends'), 'APT::Install-Recommends "false";\n');
  removeTree(join(root, 'etc/apt/sources.list'));
  writeFileSync(join(root, 'etc/apt/sources.list.d/debian.sources'), sources(release, DEBIAN_MIRROR));
  slimify(root);
  removeTree(join(root, 'var/lib/apt/lists'));
  mkdirSync(join(root, 'var/lib/apt/lists/partial'), { recursive: true });
  removeTree(join(root, 'var/cache/apt/archives'));
  mkdirSync(join(root, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(join(root, 'usr/share/man/man1'), { recursive: true });
}

/** Whether debootstrap can run here and the mirror answers for `release`; a reason when not. */
export async function baseUnavailable(release: string): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root (debootstrap, chroot and mount)';
  if (spawnSync('sh', ['-c', 'command -v debootstrap']).status !== 0) return 'debootstrap is not installed (apt-get install debootstrap)';
  try {
    const res = await fetch(`${DEBIAN_MIRROR}/dists/${release}/Release`, { method: 'HEAD', signal: AbortSignal.timeout(15_000) });
    if (!res.ok) return `the Debian mirror ${DEBIAN_MIRROR} answered ${res.status} for ${release}`;
  } catch (err) {
    return `the Debian mirror ${DEBIAN_MIRROR} cannot be reached (${(err as Error).message})`;
  }
  return undefined;
}
