import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** Every leaf key path of an object schema, records written as `<name>`. */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  let s = schema as unknown as { def: { type: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; valueType?: unknown } };
  while (s.def.innerType || (s.def.type === 'pipe' && s.def.in)) s = (s.def.innerType ?? s.def.in) as typeof s;
  if (s.def.type === 'object' && s.def.shape) {
    return Object.entries(s.def.shape).flatMap(([k, v]) => keyPaths(v as z.ZodType, prefix ? `${prefix}.${k}` : k));
  }
  if (s.def.type === 'record') return keyPaths(s.def.valueType as z.ZodType, `${prefix}.<name>`);
  return [prefix];
}

describe('the config schema and its documentation', () => {
  it('documents every key in docs/ (configuration.md and the feature pages)', () => {
    const docs = readdirSync(resolve(ROOT, 'docs')).filter((f) => f.endsWith('.md'));
    const doc = docs.map((f) => readFileSync(resolve(ROOT, 'docs', f), 'utf8')).join('\n');
    const keys = keyPaths(configSchema);
    expect(keys.length).toBeGreaterThan(15);
    const missing = keys.filter((k) => !doc.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });

  it('accepts the full example in docs/configuration.md', () => {
    const doc = readFileSync(resolve(ROOT, 'docs/configuration.md'), 'utf8');
    const yaml = /## Full example\s+```yaml\n([\s\S]*?)```/.exec(doc)![1];
    const config = parseConfig(parseYaml(yaml), 'docs example');
    expect(config.cameras.front_door.hwaccel_args).toEqual(['-hwaccel', 'vaapi', '-hwaccel_device', '/dev/dri/renderD128']);
  });

  it('accepts the example config that ships in config/', () => {
    const { config } = loadConfig({ configPath: resolve(ROOT, 'config/argus.example.yml'), env: {}, haOptionsPath: '/nonexistent' });
    expect(Object.keys(config.cameras)).toEqual(['front_door', 'garden']);
  });
});

describe('alert kinds in the config', () => {
  it('accepts the alert kinds the analyzers offer and refuses others, naming the key and the choices', () => {
    expect(configSchema.safeParse({ telegram: { token: 't', chats: [{ id: 1, kinds: ['weapon', 'unknown_face', 'fall'] }] } }).success).toBe(true);
    const bad = configSchema.safeParse({ telegram: { token: 't', chats: [{ id: 1, kinds: ['person', 'cats'] }] } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['telegram', 'chats', 0, 'kinds', 1] });
    expect(bad.error!.issues[0].message).toMatch(/known_face/);
  });
});

describe("a Telegram chat's cameras", () => {
  const chat = (cameras: string[], more: object = {}) => configSchema.safeParse({ ...more, telegram: { token: 't', chats: [{ id: 1, cameras }] } });
  const door = { cameras: { front_door: { url: 'rtsp://127.0.0.1/x' } } };

  it('refuses a camera that is not configured, naming the key and the cameras there are', () => {
    expect(chat(['front_door'], door).success).toBe(true);
    const typo = chat(['frontdoor'], door);
    expect(typo.error!.issues.map((i) => [i.path, i.message])).toEqual([[['telegram', 'chats', 0, 'cameras', 0], 'one of the configured cameras: front_door']]);
  });

  it("accepts the demo camera when none is configured, Frigate's cameras, and any name while Frigate watches all", () => {
    expect(chat(['demo']).success).toBe(true);
    expect(chat(['driveway'], { ...door, frigate: { url: 'http://127.0.0.1:5000', cameras: ['driveway'] } }).success).toBe(true);
    expect(chat(['garage'], { ...door, frigate: { url: 'http://127.0.0.1:5000', cameras: ['driveway'] } }).success).toBe(false);
    expect(chat(['garage'], { ...door, frigate: { url: 'http://127.0.0.1:5000' } }).success).toBe(true);
  });
});

describe('camera names', () => {
  it('refuses the names the bridge and people devices use in Home Assistant', () => {
    for (const name of ['bridge', 'people']) {
      expect(() => parseConfig({ cameras: { [name]: { url: 'rtsp://127.0.0.1/x' } } }, 'test'), name).toThrow(
        `cameras.${name}: the name "${name}" is not allowed: bridge and people are reserved`,
      );
    }
    expect(configSchema.safeParse({ cameras: { people_door: { url: 'rtsp://127.0.0.1/x' } } }).success).toBe(true);
  });
});
