import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined and comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions.filter((l) => /^FROM /i.test(l));

// No Docker engine here: this checks what can be checked without building the image.
describe('the add-on Dockerfile', () => {
  it('is multi-stage and ends on the current add-on base image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(stages.at(-1)).toBe('FROM ghcr.io/home-assistant/base:latest');
    expect(dockerfile).not.toMatch(/BUILD_FROM/);
    expect(existsSync(join(ROOT, 'build.yaml'))).toBe(false);
  });

  it('builds in the builder: npm ci with .npmrc, the TypeScript, the models', () => {
    const builder = instructions.slice(0, instructions.indexOf(stages[1]));
    const copied = builder.filter((l) => /^COPY /.test(l)).join(' ');
    expect(copied).toMatch(/\.npmrc/);
    expect(copied).toMatch(/package-lock\.json/);
    const runs = builder.filter((l) => /^RUN /.test(l)).join('\n');
    expect(runs).toMatch(/npm ci/);
    expect(runs).toMatch(/models build/);
    expect(runs).toMatch(/npm prune --omit=dev/);
    // npm ci must see .npmrc: it is copied before npm ci runs.
    expect(builder.findIndex((l) => /\.npmrc/.test(l))).toBeLessThan(builder.findIndex((l) => /npm ci/.test(l)));
  });

  it('copies into the add-on image only what runs, and ffmpeg comes from the base image’s packages', () => {
    const final = instructions.slice(instructions.indexOf(stages.at(-1)!));
    const fromBuilder = final.filter((l) => /^COPY --from=builder /.test(l)).map((l) => l.split(/\s+/)[2]);
    expect(fromBuilder).toEqual(expect.arrayContaining(['/app/dist', '/app/node_modules', '/app/models']));
    expect(fromBuilder.some((p) => /\/src\b|\/test\b/.test(p))).toBe(false);
    expect(final.join('\n')).toMatch(/apk add --no-cache ffmpeg/);
  });

  it('copies only files that exist in the repository and that .dockerignore lets through', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const local = instructions.filter((l) => /^COPY /.test(l) && !/--from=/.test(l));
    expect(local.length).toBeGreaterThan(0);
    for (const line of local) {
      const parts = line.split(/\s+/).slice(1, -1);
      for (const src of parts) {
        expect(existsSync(join(ROOT, src)), `${src} exists`).toBe(true);
        expect(allowed.some((a) => src === a || src.startsWith(`${a}/`) || a.startsWith(`${src}/`)), `${src} passes .dockerignore`).toBe(true);
      }
    }
  });

  it('starts through addon/run.sh', () => {
    expect(instructions).toContain('COPY addon/run.sh /run.sh');
    expect(instructions.filter((l) => /^CMD /.test(l)).at(-1)).toBe('CMD ["/run.sh"]');
  });
});
