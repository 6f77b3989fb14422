import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_BROKER } from '../../src/config/addon-options.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'argus-addon-config-'));
const MOSQUITTO = { ARGUS_SUPERVISOR_MQTT_URL: 'mqtt://core-mosquitto:1883', ARGUS_SUPERVISOR_MQTT_USER: 'addons', ARGUS_SUPERVISOR_MQTT_PASSWORD: 'mosquitto-pw' };

/** Loads the add-on's options (as HA writes them) with /config/argus.yml beside them, or none. */
function load(options: object, fileText?: string, env: NodeJS.ProcessEnv = MOSQUITTO) {
  const tag = Math.random().toString(36).slice(2);
  const optionsPath = join(dir, `options-${tag}.json`);
  writeFileSync(optionsPath, JSON.stringify(options));
  const filePath = join(dir, `argus-${tag}.yml`);
  if (fileText !== undefined) writeFileSync(filePath, fileText);
  return { ...loadConfig({ haOptionsPath: optionsPath, addonFilePath: filePath, env, requireBroker: true }), filePath };
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('the config was accepted');
}

const DOOR = { name: 'door', url: 'rtsp://cam/door' };

describe('the add-on options over /config/argus.yml', () => {
  it('takes the option where both set a key, keeps the file’s other keys, and says which it overrode', () => {
    const { config, warnings, source, filePath } = load(
      { cameras: [{ ...DOOR, detect_fps: 2 }], log_level: 'warn', mqtt: { base_topic: 'argus' } },
      `log_level: debug
mqtt: { base_topic: argus, discovery_prefix: ha }
cameras:
  door:
    url: rtsp://old/door
    detect: { width: 1280, height: 720 }
    zones: { porch: { coordinates: [[0, 0], [0.5, 0], [0.5, 1]] } }
  yard: { url: rtsp://cam/yard }
events: { end_after: 20 }
`,
    );
    expect(source).toBe(`${source.split(' with ')[0]} with ${filePath}`);
    expect(config.log_level).toBe('warn');
    expect(config.cameras.door.url).toBe('rtsp://cam/door');
    // Mappings merge key by key: the option's fps beside the file's size and zones.
    expect(config.cameras.door.detect).toEqual({ width: 1280, height: 720, fps: 2 });
    expect(Object.keys(config.cameras.door.zones)).toEqual(['porch']);
    expect(Object.keys(config.cameras)).toEqual(['door', 'yard']);
    expect(config.mqtt.discovery_prefix).toBe('ha');
    expect(config.events.end_after).toBe(20);
    expect(warnings).toEqual([
      `${filePath}: cameras.door.url is also set in the add-on's options; the option's value is used`,
      `${filePath}: log_level is also set in the add-on's options; the option's value is used`,
    ]);
  });

  it('leaves the file’s value where an option is empty: "", null or an empty list', () => {
    const { config, warnings } = load(
      { cameras: [], telegram: { token: '', chats: [] }, frigate: { labels: ['person'], cameras: [] } },
      `cameras: { door: { url: rtsp://cam/door } }
telegram:
  token: "1:from-file"
  chats: [{ id: 42, name: Anna }]
frigate: { url: "http://frigate:5000", cameras: [driveway] }
`,
    );
    expect(config.telegram?.token).toBe('1:from-file');
    expect(config.telegram?.chats.map((c) => c.id)).toEqual([42]);
    expect(config.cameras.door.url).toBe('rtsp://cam/door');
    expect(config.frigate).toMatchObject({ url: 'http://frigate:5000', cameras: ['driveway'], labels: ['person'] });
    expect(warnings).toEqual([]);
  });

  it('merges Telegram chats by id: a chat in the options keeps the file’s quiet hours; the file’s other chats stay', () => {
    const { config, warnings, filePath } = load(
      {
        telegram: {
          token: '1:abc',
          chats: [
            { id: '123', name: 'Mum', kinds: ['weapon'] },
            { id: '7', name: 'Dad' },
          ],
        },
      },
      `telegram:
  chats:
    - { id: 123, name: Mother, quiet_hours: { start: "23:00", end: "06:30" } }
    - { id: 99, name: Gran }
`,
    );
    expect(config.telegram?.chats.map((c) => [c.id, c.name, c.kinds, c.quiet_hours])).toEqual([
      [123, 'Mum', ['weapon'], { start: '23:00', end: '06:30' }],
      [7, 'Dad', undefined, undefined],
      [99, 'Gran', undefined, undefined],
    ]);
    expect(warnings).toEqual([`${filePath}: telegram.chats[123].name is also set in the add-on's options; the option's value is used`]);
  });

  it('an empty bot token turns Telegram off, chats listed or not, with a warning instead of a refusal', () => {
    const { config, warnings } = load({ cameras: [DOOR], telegram: { token: '', chats: [{ id: '123', name: 'Mum' }] } });
    expect(config.telegram).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/^telegram: no bot token .* so Telegram is off/)]);
    // a token in the file still counts
    expect(load({ telegram: { token: '', chats: [{ id: '123' }] } }, 'telegram: { token: "1:from-file" }\n').config.telegram?.token).toBe('1:from-file');
  });

  it('a list from the options replaces the file’s list whole', () => {
    const { config } = load({ frigate: { labels: ['person', 'car'] } }, 'frigate: { labels: [dog] }\n');
    expect(config.frigate?.labels).toEqual(['person', 'car']);
  });

  it('runs on the options alone when the file is absent', () => {
    const { config, warnings, source } = load({ cameras: [DOOR], log_level: 'debug' });
    expect(source).toMatch(/options-\w+\.json$/);
    expect(config.log_level).toBe('debug');
    expect(warnings).toEqual([]);
  });

  it('an analyzer switched off in the options is off on every camera, the file’s too; on leaves each camera’s own', () => {
    const { config } = load(
      { cameras: [DOOR], analyzers: { person: true, weapon: true, faces: false, pose: true } },
      'cameras:\n  yard:\n    url: rtsp://cam/yard\n    analyzers: { pose: { enabled: false, fall: false }, faces: { schedule: ["mon-fri 08:00-18:00"] } }\n',
    );
    for (const cam of ['door', 'yard']) expect(config.cameras[cam].analyzers.faces.enabled).toBe(false);
    expect(config.cameras.yard.analyzers.faces.schedule).toEqual(['mon-fri 08:00-18:00']);
    expect(config.cameras.yard.analyzers.pose).toMatchObject({ enabled: false, fall: false });
    expect(config.cameras.door.analyzers.pose.enabled).toBe(true);
    expect(config.cameras.door.analyzers.person.enabled).toBe(true);
  });

  it('a YAML mistake in the file names the file and the line', () => {
    const e = errorOf(() => load({ cameras: [DOOR] }, 'cameras:\n  door: [unclosed\n'));
    expect(e.message).toMatch(/argus-\w+\.yml: not valid YAML at line \d/);
  });

  it('a bad value gives one line naming the key, the value and what is allowed', () => {
    const e = errorOf(() => load({ cameras: [DOOR] }, 'cameras:\n  door:\n    detect: { fps: 0 }\n'));
    expect(e.message).not.toContain('\n');
    expect(e.message).toMatch(/^\S+options-\w+\.json with \S+argus-\w+\.yml is not valid: cameras\.door\.detect\.fps: got 0; expected more than 0$/);
  });
});

describe('which MQTT broker the add-on uses', () => {
  it('the Mosquitto add-on, with its credentials, when neither the options nor the file name one', () => {
    const { config } = load({ mqtt: { url: '', user: '', password: '', base_topic: 'argus' } });
    expect(config.mqtt).toMatchObject({ url: 'mqtt://core-mosquitto:1883', user: 'addons', password: 'mosquitto-pw' });
  });

  it('the broker in the options over the Mosquitto add-on', () => {
    const { config } = load({ mqtt: { url: 'mqtt://192.168.1.5:1883', user: 'argus', password: 'pw' } });
    expect(config.mqtt).toMatchObject({ url: 'mqtt://192.168.1.5:1883', user: 'argus', password: 'pw' });
  });

  it('the broker in /config/argus.yml over the Mosquitto add-on', () => {
    const { config } = load({ mqtt: { url: '' } }, 'mqtt: { url: "mqtts://nas:8883", user: argus }\n');
    expect(config.mqtt).toMatchObject({ url: 'mqtts://nas:8883', user: 'argus' });
    expect(config.mqtt.password).toBeUndefined();
  });

  it('the options’ broker without Mosquitto at all', () => {
    const { config } = load({ mqtt: { url: 'mqtt://192.168.1.5:1883' } }, undefined, {});
    expect(config.mqtt.url).toBe('mqtt://192.168.1.5:1883');
  });

  it('ARGUS_MQTT_URL over everything', () => {
    const { config } = load({ mqtt: { url: 'mqtt://192.168.1.5:1883' } }, undefined, { ...MOSQUITTO, ARGUS_MQTT_URL: 'mqtt://127.0.0.1:1884' });
    expect(config.mqtt.url).toBe('mqtt://127.0.0.1:1884');
  });

  it('with none, a config error in one line saying what to do, not an embedded broker HA cannot reach', () => {
    const e = errorOf(() => load({ mqtt: { url: '', base_topic: 'argus' } }, undefined, {}));
    expect(e.message).toBe(NO_BROKER);
    expect(e.message).toMatch(/Mosquitto broker add-on/);
    expect(e.message).not.toContain('\n');
  });

  it('only `argus run` needs a broker: other commands load the add-on config without one', () => {
    const optionsPath = join(dir, 'options-no-broker.json');
    writeFileSync(optionsPath, JSON.stringify({ cameras: [DOOR], mqtt: { url: '' } }));
    const { config } = loadConfig({ haOptionsPath: optionsPath, addonFilePath: join(dir, 'none.yml'), env: {} });
    expect(config.mqtt.url).toBeUndefined();
    expect(config.cameras.door.url).toBe('rtsp://cam/door');
  });
});
