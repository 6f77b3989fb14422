import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-config-'));
const NO_HA = join(dir, 'no-options.json');
const NO_FILE = join(dir, 'no-argus.yml');
/** The Mosquitto add-on's broker, as run.sh relays it to Argus. */
const MOSQUITTO = { ARGUS_SUPERVISOR_MQTT_URL: 'mqtt://core-mosquitto:1883' };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function load(text: string, env: NodeJS.ProcessEnv = {}) {
  return loadConfig({ configPath: file(`c${Math.random()}.yml`, text), env, haOptionsPath: NO_HA });
}

function errorOf(text: string): ConfigError {
  try {
    load(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('the config was accepted');
}

describe('loadConfig', () => {
  it('loads a valid YAML file and fills in defaults', () => {
    const { config, demo } = load(`
cameras:
  door:
    url: rtsp://admin:hunter2@192.0.2.10:554/stream1
    input_args: -rtsp_transport tcp
    detect: { width: 1280, height: 720 }
`);
    expect(demo).toBe(false);
    expect(config.cameras.door.input_args).toEqual(['-rtsp_transport', 'tcp']);
    expect(config.cameras.door.detect).toEqual({ width: 1280, height: 720, fps: 5 });
    expect(config.cameras.door.motion.threshold).toBe(25);
    expect(config.mqtt.base_topic).toBe('argus');
    expect(config.server.port).toBe(8099);
  });

  it('collects the RTSP password as a secret so it can be scrubbed', () => {
    const { secrets } = load('cameras:\n  door:\n    url: rtsp://admin:hunter2@192.0.2.10/s\nmqtt:\n  password: brokerpw\n');
    expect(secrets.sort()).toEqual(['brokerpw', 'hunter2']);
  });

  it('with no file at all runs the demo', () => {
    const { demo, source } = loadConfig({ env: {}, haOptionsPath: NO_HA });
    expect(demo).toBe(true);
    expect(source).toMatch(/defaults|argus\.yml/);
  });

  it('runs no demo for a Frigate-only setup: its cameras are the cameras', () => {
    expect(load('frigate: { url: "http://127.0.0.1:5000" }\n').demo).toBe(false);
    expect(load('mqtt: { base_topic: argus }\n').demo).toBe(true);
    // a Frigate block without a url (the add-on's options left empty) is no Frigate
    expect(load('frigate: { labels: [person] }\n').demo).toBe(true);
  });

  it('reads Home Assistant options.json with cameras as a list', () => {
    const ha = file('options.json', JSON.stringify({ cameras: [{ name: 'porch', url: 'rtsp://cam/1' }], log_level: 'debug' }));
    const { config, source } = loadConfig({ env: MOSQUITTO, haOptionsPath: ha, addonFilePath: NO_FILE });
    expect(source).toBe(ha);
    expect(config.cameras.porch.url).toBe('rtsp://cam/1');
    expect(config.log_level).toBe('debug');
  });

  it('treats empty strings, nulls and empty feature sections from HA options as unset', () => {
    const ha = file(
      'options-empty.json',
      JSON.stringify({
        cameras: [{ name: 'porch', url: 'rtsp://cam/1', input_args: '' }],
        mqtt: { url: '', user: '', password: '' },
        telegram: { token: '' },
        homeassistant: {},
        log_level: null,
      }),
    );
    const { config } = loadConfig({ env: MOSQUITTO, haOptionsPath: ha, addonFilePath: NO_FILE });
    expect(config.mqtt.url).toBe('mqtt://core-mosquitto:1883');
    expect(config.telegram).toBeUndefined();
    expect(config.homeassistant).toBeUndefined();
    expect(config.log_level).toBe('info');
    expect(config.cameras.porch.input_args).toEqual([]);
  });

  it('lets env vars override the file', () => {
    const { config } = load('server:\n  port: 8099\nmqtt:\n  url: mqtt://a:1883\n', {
      ARGUS_PORT: '9123',
      ARGUS_DATA_DIR: '/tmp/x',
      ARGUS_MQTT_URL: 'mqtt://b:1884',
      ARGUS_MQTT_PASSWORD: 's3cret',
    });
    expect(config.server.port).toBe(9123);
    expect(config.data_dir).toBe('/tmp/x');
    expect(config.mqtt.url).toBe('mqtt://b:1884');
    expect(config.mqtt.password).toBe('s3cret');
  });

  it('ARGUS_CONFIG names the file when --config is not given', () => {
    const path = file('env.yml', 'log_level: warn\n');
    expect(loadConfig({ env: { ARGUS_CONFIG: path }, haOptionsPath: NO_HA }).config.log_level).toBe('warn');
  });
});

describe('a bad config names the key, the value and what is allowed', () => {
  it('a typo in a key suggests the right one', () => {
    const e = errorOf('cameras:\n  door:\n    url: rtsp://x\n    detetc: { fps: 5 }\n');
    expect(e.message).toContain('cameras.door.detetc: unknown key (did you mean "detect"?)');
  });

  it('a number out of range', () => {
    const e = errorOf('cameras:\n  door:\n    url: rtsp://x\n    detect: { fps: 0 }\n');
    expect(e.message).toContain('cameras.door.detect.fps: got 0; expected more than 0');
  });

  it('a value that is not one of the choices', () => {
    expect(errorOf('log_level: verbose\n').message).toContain('log_level: got "verbose"; expected one of "fatal", "error", "warn", "info", "debug", "trace"');
  });

  it('a wrong type', () => {
    expect(errorOf('server:\n  port: eighty\n').message).toContain('server.port: got "eighty"; expected a number');
    // a key indented one level too little: "an object", and what that means here
    expect(errorOf('cameras:\n  garden:\n  url: rtsp://x\n').message).toContain('expected an object (keys below it, indented)');
  });

  it('two cameras of one name in the list form (the add-on’s), as the map form refuses a repeated key', () => {
    const ha = file(
      'options-dup.json',
      JSON.stringify({
        cameras: [
          { name: 'porch', url: 'rtsp://cam/1' },
          { name: 'yard', url: 'rtsp://cam/3' },
          { name: 'porch', url: 'rtsp://cam/2' },
        ],
      }),
    );
    expect(() => loadConfig({ env: MOSQUITTO, haOptionsPath: ha, addonFilePath: NO_FILE })).toThrow(
      'cameras.2.name: "porch" is also the name of cameras.0; each camera needs a name of its own',
    );
    expect(errorOf('cameras:\n  - { name: door, url: rtsp://a }\n  - { name: door, url: rtsp://b }\n').message).toContain('"door" is also the name of cameras.0');
  });

  it('a camera with no url', () => {
    expect(errorOf('cameras:\n  door:\n    enabled: true\n').message).toContain('cameras.door.url: got nothing; expected a string');
  });

  it('a camera name with spaces', () => {
    expect(errorOf('cameras:\n  Front Door:\n    url: rtsp://x\n').message).toContain('"Front Door" is not allowed: camera names use a-z, 0-9 and _ only');
  });

  it('a broker URL of the wrong scheme, without showing the password', () => {
    const e = errorOf('mqtt:\n  url: http://broker\n  password: 123\n');
    expect(e.message).toContain('mqtt.url: got "http://broker"; expected a URL starting with mqtt://');
    expect(errorOf('mqtt:\n  password: 12345\n').message).toContain('mqtt.password: got (a secret, not shown)');
  });

  it('YAML that does not parse gives the line', () => {
    expect(errorOf('cameras:\n  door:\n    url: [unclosed\n').message).toMatch(/not valid YAML at line \d/);
    // the key a duplicate is, and no dangling colon where the library's code frame was cut off
    const twice = errorOf('cameras:\n  door:\n    url: rtsp://cam/a\n  door:\n    url: rtsp://cam/b\n').message;
    expect(twice).toMatch(/not valid YAML at line 4, column 3: Map keys must be unique \("door" appears twice\)$/);
  });

  it('a missing file named on the command line', () => {
    expect(() => loadConfig({ configPath: join(dir, 'nope.yml'), env: {}, haOptionsPath: NO_HA })).toThrow('config file not found');
  });

  it('a bad ARGUS_PORT, named as the var that set it, not as the file', () => {
    expect(() => load('{}', { ARGUS_PORT: 'x' })).toThrow('ARGUS_PORT: got "x"');
    expect(() => load('server:\n  port: 8099\n', { ARGUS_PORT: '99999' })).toThrow(/server\.port: got 99999; expected at most 65535 \(set by ARGUS_PORT\)$/);
  });

  it('several unknown keys at one level: one indented line each', () => {
    const e = errorOf('camras: {}\nloglevel: info\n');
    expect(e.message.split('\n').slice(1)).toEqual([
      expect.stringMatching(/^ {2}camras: unknown key \(did you mean "cameras"\?\)/),
      expect.stringMatching(/^ {2}loglevel: unknown key \(did you mean "log_level"\?\)/),
    ]);
  });
});
