import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const hasParser = spawnSync('sh', ['-c', 'command -v apparmor_parser']).status === 0;

describe('the files the Supervisor reads beside config.yaml', () => {
  it('are all at the repository root, and addon/ holds only what goes into the container', () => {
    for (const f of ['config.yaml', 'Dockerfile', 'DOCS.md', 'CHANGELOG.md', 'icon.png', 'logo.png', 'translations/en.yaml', 'apparmor.txt']) {
      expect(existsSync(join(ROOT, f)), f).toBe(true);
    }
    expect(readdirSync(join(ROOT, 'addon')).sort()).toEqual(['build', 'make-images.mjs', 'run.sh']);
  });

  it('has a 128×128 icon and a 250×100 logo as PNG', async () => {
    const icon = await sharp(join(ROOT, 'icon.png')).metadata();
    const logo = await sharp(join(ROOT, 'logo.png')).metadata();
    expect([icon.format, icon.width, icon.height]).toEqual(['png', 128, 128]);
    expect([logo.format, logo.width, logo.height]).toEqual(['png', 250, 100]);
  });

  it('ships DOCS.md for the Documentation tab and a CHANGELOG.md entry for this version', () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    expect(read('CHANGELOG.md')).toContain(`## ${version}`);
    const docs = read('DOCS.md');
    for (const topic of ['Telegram', '/config/argus.yml', 'Mosquitto']) expect(docs).toContain(topic);
  });

  it('is the only add-on manifest in the repository (the Supervisor takes every config.yaml for one)', () => {
    const tracked = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
    expect(tracked.filter((f) => /(^|\/)config\.(ya?ml|json)$/.test(f))).toEqual(['config.yaml']);
  });
});

describe('repository.yaml', () => {
  // supervisor/store/validate.py SCHEMA_REPOSITORY_CONFIG: name (required), url, maintainer.
  it('has what the Supervisor needs to add the repository', () => {
    const repo = parseYaml(read('repository.yaml')) as Record<string, unknown>;
    const manifest = parseYaml(read('config.yaml')) as { url: string };
    expect(typeof repo.name).toBe('string');
    expect(typeof repo.maintainer).toBe('string');
    expect(new URL(String(repo.url)).protocol).toBe('https:');
    expect(repo.url).toBe(manifest.url);
  });
});

describe('apparmor.txt', () => {
  const profile = read('apparmor.txt');
  const node = profile.slice(profile.indexOf('profile argus_node'));

  it('is named after the slug and confines Node in a profile of its own', () => {
    expect(profile).toMatch(/^profile argus flags=/m);
    expect(profile).toMatch(/^\s*\/usr\/bin\/node cx -> argus_node,$/m);
    // The blanket `file,` of the outer profile (s6-overlay) must not reach Argus.
    expect(node).not.toMatch(/^\s*file,$/m);
    expect(profile).not.toMatch(/^\s*capability,$/m);
  });

  it('lets Argus write its data and config, read media and share, start ffmpeg and use the network', () => {
    for (const rule of ['/data/{,**} rwk,', '/config/{,**} rw,', '/media/{,**} r,', '/share/{,**} r,', '/usr/bin/ffmpeg mrix,', '/app/**.node mr,', 'network inet stream,']) {
      expect(node).toContain(rule);
    }
    expect(node).not.toMatch(/^\s*\/(media|share)\/.* [a-z]*w/m);
  });

  it.skipIf(!hasParser)('parses (apparmor_parser, not loaded into any kernel)', () => {
    // Skipped where the apparmor package is not installed.
    const r = spawnSync('apparmor_parser', ['--skip-kernel-load', '--skip-cache', join(ROOT, 'apparmor.txt')], { encoding: 'utf8' });
    expect(r.stderr.split('\n').filter((l) => l && !l.startsWith('Cache read/write disabled'))).toEqual([]);
    expect(r.status).toBe(0);
  });
});
