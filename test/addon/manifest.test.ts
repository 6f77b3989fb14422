import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { LEGACY_VOLUMES, RE_SCHEMA_ELEMENT, RE_SERVICE, RE_SLUG, RE_VOLUME, RE_WATCHDOG, schemaLeaves, validateOptions } from './supervisor-rules.js';

const ROOT = resolve(import.meta.dirname, '../..');
type Schema = string | Schema[] | { [key: string]: Schema };
type Options = Record<string, unknown>;
const manifest = parseYaml(readFileSync(join(ROOT, 'config.yaml'), 'utf8')) as Record<string, unknown> & {
  options: Options;
  schema: Record<string, Schema>;
};
const en = parseYaml(readFileSync(join(ROOT, 'translations/en.yaml'), 'utf8')) as { configuration: Record<string, Translation>; network?: Record<string, string> };
type Translation = { name?: unknown; description?: unknown; fields?: Record<string, Translation> };

const dir = mkdtempSync(join(tmpdir(), 'argus-options-'));
const NO_FILE = join(dir, 'no-argus.yml');
/** The Mosquitto add-on, as run.sh relays it. */
const SERVICE_ENV = { ARGUS_SUPERVISOR_MQTT_URL: 'mqtt://core-mosquitto:1883', ARGUS_SUPERVISOR_MQTT_USER: 'addons', ARGUS_SUPERVISOR_MQTT_PASSWORD: 'pw' };

function loadOptions(options: unknown, env: NodeJS.ProcessEnv = SERVICE_ENV) {
  const path = join(dir, `options-${Math.random()}.json`);
  writeFileSync(path, JSON.stringify(options));
  return loadConfig({ haOptionsPath: path, addonFilePath: NO_FILE, env, requireBroker: true });
}

const clone = <T>(v: T): T => structuredClone(v);

/** Options a household would fill in: two cameras, Telegram, another broker, a gate, Frigate. */
const FILLED: Options = {
  ...clone(manifest.options),
  cameras: [
    { name: 'front_door', url: 'rtsp://admin:pw@192.168.1.20:554/stream1', input_args: '-rtsp_transport tcp', detect_fps: 3 },
    { name: 'garden', url: 'http://192.168.1.21/mjpeg', enabled: false },
  ],
  mqtt: { url: 'mqtt://192.168.1.5:1883', user: 'argus', password: 'brokerpw', base_topic: 'argus', discovery_prefix: 'homeassistant' },
  telegram: {
    token: '123456:ABC-bot-token',
    chats: [{ id: '123456789', name: 'Anna', cameras: ['front_door'], kinds: ['weapon', 'unknown_face'], names: [] }, { id: '-1001234567890' }],
  },
  faces: { threshold: 0.6 },
  analyzers: { person: true, weapon: true, faces: true, pose: false },
  homeassistant: { fire_events: true, event_type: 'argus_detection', alert_gate: { entity: 'alarm_control_panel.home', states: ['armed_away'], when_unknown: 'block' } },
  frigate: { ...(manifest.options.frigate as object), url: 'http://ccab4aaf-frigate:5000' },
};

describe('the add-on manifest (config.yaml)', () => {
  it('says what Home Assistant needs to install and run the add-on', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(manifest).toMatchObject({
      name: 'Argus',
      version: pkg.version,
      slug: 'argus',
      init: false,
      ingress: true,
      homeassistant_api: true,
      ingress_port: configSchema.parse({}).server.port,
    });
    expect(manifest.slug).toMatch(RE_SLUG);
    expect(typeof manifest.description).toBe('string');
    expect(manifest.arch).toEqual(expect.arrayContaining(['aarch64', 'amd64']));
    expect(String(manifest.panel_icon)).toMatch(/^mdi:/);
    expect(String(manifest.watchdog)).toMatch(RE_WATCHDOG);
    // The retired ways of naming the base image must not come back.
    expect(manifest).not.toHaveProperty('build_from');
    // A direct port exists but is off until the user maps it.
    expect(Object.values(manifest.ports as Record<string, unknown>)).toEqual([null]);
  });

  it('wants MQTT rather than needing it, so a user with another broker can install it', () => {
    const services = manifest.services as string[];
    for (const s of services) expect(s).toMatch(RE_SERVICE);
    expect(services).toEqual(['mqtt:want']);
  });

  it('maps its config folder read-write under the current name, and media and share read-only', () => {
    const map = manifest.map as string[];
    for (const m of map) expect(m).toMatch(RE_VOLUME);
    expect(map.filter((m) => LEGACY_VOLUMES.includes(m.split(':')[0]))).toEqual([]);
    expect(map).toEqual(expect.arrayContaining(['app_config:rw', 'media', 'share']));
  });

  it('names only option types the Supervisor knows', () => {
    const bad = schemaLeaves(manifest.schema).filter((l) => !RE_SCHEMA_ELEMENT.test(l.type));
    expect(bad).toEqual([]);
  });
});

describe('the Supervisor’s rules, as rewritten for these tests', () => {
  // The checks below lean on validateOptions; it must refuse what the Supervisor refuses.
  it('refuses a missing section, a wrong type and a value outside its range', () => {
    const schema = { a: { b: 'int(1,5)' }, c: ['str'], d: 'str?', e: ['str?'], f: 'match(^[a-z]+$)' };
    expect(validateOptions(schema, { a: { b: 3 }, c: [], f: 'x' })).toEqual([]);
    expect(validateOptions(schema, { c: [], f: 'x' })).toEqual(["Missing option 'a' in root"]);
    expect(validateOptions(schema, { a: { b: 9 }, c: 'x', f: 'X' })).toEqual(['b: out of range', "Invalid list for option 'c'", 'f: does not match ^[a-z]+$']);
  });
});

describe('the options', () => {
  it('as shipped validate against the schema beside them', () => {
    expect(validateOptions(manifest.schema, manifest.options)).toEqual([]);
  });

  it('as a household fills them in validate too', () => {
    expect(validateOptions(manifest.schema, FILLED)).toEqual([]);
  });

  it('as shipped give a valid Argus config through the loader the add-on uses', () => {
    const { config, source, demo } = loadOptions(manifest.options);
    expect(source).toMatch(/options-.*\.json$/);
    expect(demo).toBe(true);
    expect(config.mqtt).toMatchObject({ url: 'mqtt://core-mosquitto:1883', user: 'addons', base_topic: 'argus', discovery_prefix: 'homeassistant' });
    expect(config.telegram).toBeUndefined();
    expect(config.homeassistant?.alert_gate?.entity).toBeUndefined();
    expect(config.frigate?.url).toBeUndefined();
  });

  it('ship the same face threshold as the registry’s own default', () => {
    expect((manifest.options.faces as { threshold: number }).threshold).toBe(configSchema.parse({}).faces.threshold);
  });

  it('as a household fills them in become that Argus config', () => {
    const { config } = loadOptions(FILLED);
    expect(config.cameras.front_door).toMatchObject({ input_args: ['-rtsp_transport', 'tcp'], detect: { fps: 3, width: 640 } });
    expect(config.cameras.garden.enabled).toBe(false);
    expect(config.cameras.front_door.analyzers.pose.enabled).toBe(false);
    expect(config.cameras.front_door.analyzers.weapon.enabled).toBe(true);
    expect(config.mqtt).toMatchObject({ url: 'mqtt://192.168.1.5:1883', user: 'argus', password: 'brokerpw' });
    expect(config.telegram?.token).toBe('123456:ABC-bot-token');
    expect(config.telegram?.chats).toEqual([
      { id: 123456789, name: 'Anna', cameras: ['front_door'], kinds: ['weapon', 'unknown_face'], names: [] },
      { id: -1001234567890, cameras: [], names: [] },
    ]);
    expect(config.faces.threshold).toBe(0.6);
    expect(config.homeassistant?.alert_gate).toEqual({ entity: 'alarm_control_panel.home', states: ['armed_away'], when_unknown: 'block' });
    expect(config.frigate?.url).toBe('http://ccab4aaf-frigate:5000');
  });

  // One sample per option: each must pass the Supervisor and change the loaded config.
  const BASE: Options = {
    ...clone(manifest.options),
    cameras: [{ name: 'door', url: 'rtsp://cam/1' }],
    mqtt: { url: 'mqtt://broker:1883', base_topic: 'argus', discovery_prefix: 'homeassistant' },
    telegram: { token: '1:base', chats: [{ id: '1' }] },
    homeassistant: { fire_events: true, event_type: 'argus_detection', alert_gate: { states: ['armed_away'], when_unknown: 'allow' } },
  };
  const SAMPLES: Record<string, unknown> = {
    'cameras[].name': 'porch',
    'cameras[].url': 'rtsp://cam/2',
    'cameras[].enabled': false,
    'cameras[].detect_fps': 2,
    'cameras[].input_args': '-rtsp_transport tcp',
    'cameras[].hwaccel_args': '-hwaccel vaapi',
    'cameras[].stall_timeout': 30,
    'mqtt.url': 'mqtt://other:1883',
    'mqtt.user': 'u',
    'mqtt.password': 'p',
    'mqtt.base_topic': 'cctv',
    'mqtt.discovery_prefix': 'ha',
    'telegram.token': '2:other',
    'telegram.chats[].id': '-100',
    'telegram.chats[].name': 'Ben',
    'telegram.chats[].cameras[]': 'door',
    'telegram.chats[].kinds[]': 'weapon',
    'telegram.chats[].names[]': 'grandma',
    'faces.threshold': 0.7,
    'analyzers.person': false,
    'analyzers.weapon': false,
    'analyzers.faces': false,
    'analyzers.pose': false,
    'homeassistant.fire_events': false,
    'homeassistant.event_type': 'cctv_event',
    'homeassistant.alert_gate.entity': 'group.family',
    'homeassistant.alert_gate.states[]': 'not_home',
    'homeassistant.alert_gate.when_unknown': 'block',
    'frigate.url': 'http://frigate:5000',
    'frigate.topic_prefix': 'nvr',
    'frigate.mqtt_url': 'mqtt://frigate-broker:1883',
    'frigate.labels[]': 'car',
    'frigate.cameras[]': 'driveway',
    'frigate.snapshot_attempts': 5,
    'frigate.retry_interval': 2,
    'frigate.set_sub_label': false,
    'frigate.overwrite_sub_label': true,
    'server.public_url': 'http://192.168.1.5:8100',
    'server.token': 'a-token-of-20-chars!',
    'server.direct_port': 8100,
    log_level: 'debug',
  };

  function withSample(path: string, value: unknown): Options {
    const options = clone(BASE);
    const parts = path.replace(/\[\]/g, '.[]').split('.');
    let cur: Record<string, unknown> | unknown[] = options;
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      if (part === '[]') {
        const list = cur as unknown[];
        if (last) list.splice(0, list.length, value);
        else {
          list[0] ??= {};
          cur = list[0] as Record<string, unknown>;
        }
      } else {
        const obj = cur as Record<string, unknown>;
        if (last) obj[part] = value;
        else {
          obj[part] ??= parts[i + 1] === '[]' ? [] : {};
          cur = obj[part] as Record<string, unknown> | unknown[];
        }
      }
    });
    return options;
  }

  const baseline = JSON.stringify(loadOptions(BASE).config);
  it.each(schemaLeaves(manifest.schema))('$path changes the Argus config', ({ path }) => {
    expect(SAMPLES, `a sample value for ${path}`).toHaveProperty([path]);
    const options = withSample(path, SAMPLES[path]);
    expect(validateOptions(manifest.schema, options)).toEqual([]);
    expect(JSON.stringify(loadOptions(options).config)).not.toBe(baseline);
  });
});

describe('translations/en.yaml', () => {
  function check(schema: Schema, tr: Record<string, Translation> | undefined, prefix: string, problems: string[]): void {
    const fields = Array.isArray(schema) ? schema[0] : schema;
    if (typeof fields !== 'object' || Array.isArray(fields)) return;
    for (const [key, sub] of Object.entries(fields)) {
      const t = tr?.[key];
      const path = `${prefix}${key}`;
      if (typeof t?.name !== 'string' || !t.name) problems.push(`${path}: no name`);
      if (typeof t?.description !== 'string' || !t.description) problems.push(`${path}: no description`);
      check(sub, t?.fields, `${path}.`, problems);
    }
    for (const key of Object.keys(tr ?? {})) if (!(key in fields)) problems.push(`${prefix}${key}: translated but not an option`);
  }

  it('labels and describes every option, nested ones included, and nothing else', () => {
    const problems: string[] = [];
    check(manifest.schema, en.configuration, '', problems);
    expect(problems).toEqual([]);
  });

  it('describes the ports', () => {
    expect(Object.keys(en.network ?? {})).toEqual(Object.keys(manifest.ports as object));
  });
});
