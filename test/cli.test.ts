import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const argus = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('argus', () => {
  it('prints its version with --version, and lists every faces command in its help', () => {
    const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const v = argus('--version');
    expect([v.status, v.stdout.trim()]).toEqual([0, version]);
    const help = argus('--help').stdout;
    expect(help).toContain('faces list|show|add|rename|remove|export|import|backups|restore');
    expect(help).toContain('"argus --version" prints the version');
  });

  it('refuses an unknown command with code 2 and its usage', () => {
    const r = argus('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^argus: unknown command "frobnicate"\n\nusage: argus <command>/);
  });
});
