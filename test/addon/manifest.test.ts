import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const ROOT = resolve(import.meta.dirname, '../..');
const manifest = parseYaml(readFileSync(join(ROOT, 'config.yaml'), 'utf8')) as Record<string, unknown> & {
  options: Record<string, unknown>;
  schema: Record<string, unknown>;
};

type Def = { type: string; innerType?: Zod; in?: Zod; shape?: Record<string, Zod>; valueType?: Zod; element?: Zod; options?: Zod[] };
type Zod = { def: Def };

function unwrap(s: Zod): Zod {
  while (s.def.innerType || (s.def.type === 'pipe' && s.def.in)) s = (s.def.innerType ?? s.def.in)!;
  return s;
}

/** The zod leaf kinds a value may take (a union of string and array gives both). */
function kinds(s: Zod): string[] {
  const u = unwrap(s);
  return u.def.type === 'union' ? u.def.options!.flatMap(kinds) : [u.def.type];
}

const HA_TYPE = /^(str|bool|int|float|email|url|password|port|match\(.+\)|list\([^)]+\))(\([^)]*\))?\??$/;
const ZOD_KINDS: Record<string, string[]> = {
  str: ['string', 'enum'], password: ['string'], url: ['string'], email: ['string'], match: ['string', 'enum'], list: ['enum', 'string'],
  bool: ['boolean'], int: ['number'], float: ['number'], port: ['number'],
};

/** Walks the add-on schema beside the zod schema; returns what does not line up. */
function compare(ha: unknown, zod: Zod, path: string, problems: string[]): void {
  const z = unwrap(zod);
  if (Array.isArray(ha)) {
    if (z.def.type === 'record' && typeof ha[0] === 'object') {
      // HA options cannot hold maps: a list of { name, … } becomes the record (src/config/load.ts).
      const { name, ...rest } = ha[0] as Record<string, unknown>;
      if (typeof name !== 'string') problems.push(`${path}: a list standing for a map needs a name`);
      return compare(rest, z.def.valueType!, `${path}[]`, problems);
    }
    const element = z.def.type === 'array' ? z.def.element : kinds(z).includes('array') ? unwrap(z).def.options!.map(unwrap).find((o) => o.def.type === 'array')?.def.element : undefined;
    if (!element) return void problems.push(`${path}: a list in config.yaml, not in the zod schema`);
    return compare(ha[0], element, `${path}[]`, problems);
  }
  if (ha && typeof ha === 'object') {
    if (z.def.type !== 'object') return void problems.push(`${path}: a dict in config.yaml, ${z.def.type} in the zod schema`);
    for (const [k, v] of Object.entries(ha)) {
      const child = z.def.shape![k];
      if (!child) problems.push(`${path}.${k}: not in the zod schema`);
      else compare(v, child, `${path}.${k}`, problems);
    }
    return;
  }
  const type = String(ha);
  if (!HA_TYPE.test(type)) return void problems.push(`${path}: "${type}" is not a Home Assistant option type`);
  const base = type.replace(/\?$/, '').replace(/\(.*$/, '');
  const want = ZOD_KINDS[base];
  if (!kinds(z).some((k) => want.includes(k))) problems.push(`${path}: ${type} in config.yaml, ${kinds(z).join('|')} in the zod schema`);
}

function loadOptions(options: unknown) {
  const dir = mkdtempSync(join(tmpdir(), 'argus-options-'));
  const path = join(dir, 'options.json');
  writeFileSync(path, JSON.stringify(options));
  return loadConfig({ haOptionsPath: path, env: {} });
}

describe('the add-on manifest (config.yaml)', () => {
  it('says what Home Assistant needs to install and run the add-on', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(manifest).toMatchObject({
      name: 'Argus', version: pkg.version, slug: 'argus', init: false, ingress: true, homeassistant_api: true,
      ingress_port: configSchema.parse({}).server.port,
    });
    expect(typeof manifest.description).toBe('string');
    expect(manifest.arch).toEqual(expect.arrayContaining(['aarch64', 'amd64']));
    expect(manifest.services).toContain('mqtt:need');
    expect(String(manifest.panel_icon)).toMatch(/^mdi:/);
    // The retired ways of naming the base image must not come back.
    expect(manifest).not.toHaveProperty('build_from');
    // A direct port exists but is off until the user maps it.
    expect(Object.values(manifest.ports as Record<string, unknown>)).toEqual([null]);
  });

  it('has defaults that the zod schema accepts, through the same loader the add-on uses', () => {
    const { config, source } = loadOptions(manifest.options);
    expect(source).toMatch(/options\.json$/);
    expect(config.mqtt.discovery_prefix).toBe('homeassistant');
    expect(config.homeassistant?.alert_gate?.entity).toBeUndefined();
    expect(config.frigate?.url).toBeUndefined();
  });

  it('accepts options a user would fill in (cameras as a list, an alert gate, Frigate)', () => {
    const { config } = loadOptions({
      ...manifest.options,
      cameras: [{ name: 'front_door', url: 'rtsp://admin:pw@192.168.1.20:554/stream1', input_args: '-rtsp_transport tcp' }],
      homeassistant: { ...(manifest.options.homeassistant as object), alert_gate: { entity: 'alarm_control_panel.home', states: ['armed_away'], when_unknown: 'block' } },
      frigate: { ...(manifest.options.frigate as object), url: 'http://ccab4aaf-frigate:5000' },
    });
    expect(config.cameras.front_door.input_args).toEqual(['-rtsp_transport', 'tcp']);
    expect(config.homeassistant?.alert_gate?.states).toEqual(['armed_away']);
    expect(config.frigate?.url).toBe('http://ccab4aaf-frigate:5000');
  });

  it('has a schema whose every key and type exists in the zod schema', () => {
    const problems: string[] = [];
    compare(manifest.schema, configSchema as unknown as Zod, 'config', problems);
    expect(problems).toEqual([]);
  });

  it('gives every option a schema entry (the Supervisor drops options it has no schema for)', () => {
    const missing = Object.keys(manifest.options).filter((k) => !(k in manifest.schema));
    expect(missing).toEqual([]);
  });

  it('names a translation for every top-level option', () => {
    const en = parseYaml(readFileSync(join(ROOT, 'addon/translations/en.yaml'), 'utf8')) as { configuration: Record<string, unknown> };
    expect(Object.keys(en.configuration).sort()).toEqual(Object.keys(manifest.schema).sort());
  });
});
