import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { ANALYZERS } from '../analyzers/list.js';
import { ConfigError } from './errors.js';
import { camerasListToMap, dropUnset } from './raw-config.js';
import { asTopLevel, isPlainObject, readConfigFile, type RawConfig } from './read-file.js';

/**
 * Inside the Home Assistant add-on the config has two parts: the options from the add-on's
 * Configuration tab (/data/options.json, written by the Supervisor) and, for everything else,
 * /config/argus.yml in the add-on's config folder. The rule (docs/addon.md): the file is read
 * first and the options are laid over it key by key, so a key set in both takes the option.
 * An option left empty (unset, "" or an empty list) sets nothing and leaves the file's value.
 */

export const ADDON_FILE_PATH = '/config/argus.yml';

export interface AddonConfig {
  raw: RawConfig;
  source: string;
  /** One line per file key that an option overrode with another value. */
  warnings: string[];
}

export function readAddonConfig(optionsPath: string, filePath: string, env: NodeJS.ProcessEnv, requireBroker = false): AddonConfig {
  const { config: options, analyzersOff } = optionsToConfig(asTopLevel(readConfigFile(optionsPath), optionsPath));
  const hasFile = existsSync(filePath);
  const file = hasFile ? camerasListToMap(dropUnset(asTopLevel(readConfigFile(filePath), filePath)) as RawConfig) : {};
  const overridden: string[] = [];
  const merged = layOver(file, options, '', overridden);
  const { config, off } = telegramWithoutToken(merged);
  return {
    raw: chooseBroker(switchOffAnalyzers(config, analyzersOff), env, requireBroker),
    source: hasFile ? `${optionsPath} with ${filePath}` : optionsPath,
    warnings: [...overridden.map((key) => `${filePath}: ${key} is also set in the add-on's options; the option's value is used`), ...off],
  };
}

/**
 * The Configuration tab says an empty bot token turns Telegram off; with chats still listed the
 * section would otherwise be refused for its missing token and stop the whole add-on.
 */
function telegramWithoutToken(config: RawConfig): { config: RawConfig; off: string[] } {
  const { telegram, ...rest } = config;
  if (!isPlainObject(telegram) || telegram.token !== undefined) return { config, off: [] };
  return { config: rest, off: ["telegram: no bot token in the add-on's options or argus.yml, so Telegram is off (its chats are kept for when a token is set)"] };
}

/** The options in the Argus config's shape; the analyzer switches come back apart, to apply after the merge. */
export function optionsToConfig(options: RawConfig): { config: RawConfig; analyzersOff: string[] } {
  const { analyzers, ...rest } = dropUnset(dropEmptyLists(options)) as RawConfig;
  const analyzersOff = ANALYZERS.map((a) => a.name).filter((name) => isPlainObject(analyzers) && analyzers[name] === false);
  const config = camerasListToMap(rest);
  if (isPlainObject(config.cameras)) {
    config.cameras = Object.fromEntries(Object.entries(config.cameras).map(([name, cam]) => [name, cameraFromOption(cam)]));
  }
  return { config, analyzersOff };
}

/** `detect_fps` is flat in the options (the HA form shows nested groups poorly inside a list). */
function cameraFromOption(cam: unknown): unknown {
  if (!isPlainObject(cam) || !('detect_fps' in cam)) return cam;
  const { detect_fps, ...rest } = cam;
  return { ...rest, detect: { fps: detect_fps } };
}

/** An empty list in the options is the form's way of saying "none given", not "none allowed". */
function dropEmptyLists(value: RawConfig): RawConfig {
  const out: RawConfig = {};
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = Array.isArray(v) ? v.map((e) => (isPlainObject(e) ? dropEmptyLists(e) : e)) : isPlainObject(v) ? dropEmptyLists(v) : v;
  }
  return out;
}

/**
 * Deep merge: mappings merge key by key, anything else (lists included) is replaced by the option;
 * but Telegram's chats merge by id, as cameras do by name, so a chat listed in the options keeps
 * the file's keys the options have no field for (quiet hours).
 */
function layOver(file: RawConfig, options: RawConfig, prefix: string, overridden: string[]): RawConfig {
  const out: RawConfig = { ...file };
  for (const [k, v] of Object.entries(options)) {
    const key = `${prefix}${k}`;
    const under = file[k];
    if (isPlainObject(v) && isPlainObject(under)) out[k] = layOver(under, v, `${key}.`, overridden);
    else if (key === 'telegram.chats' && Array.isArray(v) && Array.isArray(under)) out[k] = chatsById(under, v, key, overridden);
    else {
      if (under !== undefined && !isDeepStrictEqual(under, v)) overridden.push(key);
      out[k] = v;
    }
  }
  return out;
}

/** The options' chats, each laid over the file's chat of the same id; then the file's other chats. */
function chatsById(file: unknown[], options: unknown[], key: string, overridden: string[]): unknown[] {
  const idOf = (c: unknown) => (isPlainObject(c) && c.id !== undefined ? String(c.id) : undefined);
  const fileChats = new Map(file.map((c) => [idOf(c), c] as const).filter(([id]) => id !== undefined));
  const merged = options.map((c) => {
    const id = idOf(c);
    const under = id === undefined ? undefined : fileChats.get(id);
    fileChats.delete(id);
    // the same id written as text in one and a number in the other is no override
    return isPlainObject(c) && isPlainObject(under) ? layOver(under, { ...c, id: under.id }, `${key}[${id}].`, overridden) : c;
  });
  return [...merged, ...fileChats.values()];
}

/** An analyzer switched off in the options is off on every camera, the file's cameras included. */
function switchOffAnalyzers(config: RawConfig, off: string[]): RawConfig {
  if (off.length === 0 || !isPlainObject(config.cameras)) return config;
  const cameras: RawConfig = {};
  for (const [name, cam] of Object.entries(config.cameras)) {
    if (!isPlainObject(cam)) {
      cameras[name] = cam;
      continue;
    }
    const analyzers: RawConfig = isPlainObject(cam.analyzers) ? { ...cam.analyzers } : {};
    for (const a of off) analyzers[a] = { ...(isPlainObject(analyzers[a]) ? analyzers[a] : {}), enabled: false };
    cameras[name] = { ...cam, analyzers };
  }
  return { ...config, cameras };
}

export const NO_BROKER = "mqtt.url: no MQTT broker: install and start the Mosquitto broker add-on, or set the broker's URL under MQTT in the add-on's options";

/**
 * The broker, in this order: ARGUS_MQTT_URL; mqtt.url from the options or argus.yml; the
 * Mosquitto add-on (the Supervisor's MQTT service, relayed by run.sh as ARGUS_SUPERVISOR_MQTT_*).
 * With none, a config error where a broker is required (`argus run`): an embedded broker inside
 * the add-on is one HA never hears. Other commands (`argus faces …`) need no broker.
 */
function chooseBroker(config: RawConfig, env: NodeJS.ProcessEnv, required: boolean): RawConfig {
  const mqtt = isPlainObject(config.mqtt) ? config.mqtt : {};
  if (typeof mqtt.url === 'string' || env.ARGUS_MQTT_URL) return config;
  if (!env.ARGUS_SUPERVISOR_MQTT_URL) {
    if (required) throw new ConfigError(NO_BROKER);
    return config;
  }
  const { user: _user, password: _password, ...rest } = mqtt;
  const service: RawConfig = { url: env.ARGUS_SUPERVISOR_MQTT_URL };
  if (env.ARGUS_SUPERVISOR_MQTT_USER) service.user = env.ARGUS_SUPERVISOR_MQTT_USER;
  if (env.ARGUS_SUPERVISOR_MQTT_PASSWORD) service.password = env.ARGUS_SUPERVISOR_MQTT_PASSWORD;
  return { ...config, mqtt: { ...rest, ...service } };
}
