import { existsSync } from 'node:fs';
import { ADDON_FILE_PATH, readAddonConfig } from './addon-options.js';
import { ConfigError, describeIssues } from './errors.js';
import { camerasListToMap, dropUnset } from './raw-config.js';
import { urlSecrets } from './redact.js';
import { asTopLevel, readConfigFile, type RawConfig } from './read-file.js';
import { configSchema, type ArgusConfig } from './schema.js';

export { dropUnset } from './raw-config.js';

export const HA_OPTIONS_PATH = '/data/options.json';
export const DEFAULT_CONFIG_PATH = './config/argus.yml';

export interface LoadOptions {
  /** `--config <file>`; wins over ARGUS_CONFIG and the defaults. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Where Home Assistant writes the add-on options (`--options`; overridable for tests). */
  haOptionsPath?: string;
  /** The add-on's own config file laid under the options (default /config/argus.yml). */
  addonFilePath?: string;
  /** Inside the add-on, make a missing MQTT broker a config error (`argus run`; not `argus faces`). */
  requireBroker?: boolean;
}

export interface LoadedConfig {
  config: ArgusConfig;
  /** Where the config came from, for the start-up log line. */
  source: string;
  /** True when nothing configured any camera, nor Frigate: Argus runs its demo camera. */
  demo: boolean;
  /** Secret values present in the config; the logger scrubs them from every line. */
  secrets: string[];
  /** Things worth a line in the log that did not stop start-up. */
  warnings: string[];
}

/** Which env var sets which key (`section.key`, or a top-level key). */
const ENV_KEYS: Array<[string, string]> = [
  ['ARGUS_DATA_DIR', 'data_dir'],
  ['ARGUS_LOG_LEVEL', 'log_level'],
  ['ARGUS_PORT', 'server.port'],
  ['ARGUS_TOKEN', 'server.token'],
  ['ARGUS_TELEGRAM_TOKEN', 'telegram.token'],
  ['ARGUS_HA_TOKEN', 'homeassistant.token'],
  ['ARGUS_MQTT_URL', 'mqtt.url'],
  ['ARGUS_MQTT_USER', 'mqtt.user'],
  ['ARGUS_MQTT_PASSWORD', 'mqtt.password'],
];

/**
 * Env vars override the file, so a second instance or a test can run beside the first. Returns
 * the keys they set, with the var that set each, so an error names the var, not the file.
 */
function applyEnv(raw: RawConfig, env: NodeJS.ProcessEnv): { raw: RawConfig; fromEnv: Map<string, string> } {
  const out: RawConfig = { ...raw };
  const fromEnv = new Map<string, string>();
  for (const [name, key] of ENV_KEYS) {
    const value = env[name];
    if (!value) continue;
    let v: unknown = value;
    if (name === 'ARGUS_PORT') {
      v = Number(value);
      if (!Number.isInteger(v)) throw new ConfigError(`ARGUS_PORT: got ${JSON.stringify(value)}; expected a port number`);
    }
    const [section, field] = key.split('.');
    if (field === undefined) out[section] = v;
    else {
      const cur = out[section];
      out[section] = { ...(cur && typeof cur === 'object' ? (cur as RawConfig) : {}), [field]: v };
    }
    fromEnv.set(key, name);
  }
  return { raw: out, fromEnv };
}

function collectSecrets(config: ArgusConfig): string[] {
  const secrets: string[] = [];
  if (config.mqtt.password) secrets.push(config.mqtt.password);
  if (config.server.token) secrets.push(config.server.token);
  if (config.telegram?.token) secrets.push(config.telegram.token);
  if (config.homeassistant?.token) secrets.push(config.homeassistant.token);
  for (const cam of Object.values(config.cameras)) secrets.push(...urlSecrets(cam.url));
  return secrets;
}

/**
 * Validates an already-parsed config object (any of the three ways in ends here). `fromEnv`: keys an
 * env var set, whose problems name the var (the file may say something else).
 */
export function parseConfig(raw: unknown, source = 'config', fromEnv: ReadonlyMap<string, string> = new Map()): ArgusConfig {
  const input = raw === null || raw === undefined ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${source}: the top level must be a mapping of keys (cameras, mqtt, server, …)`);
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error, input, configSchema).map((p) => {
      const name = fromEnv.get(p.slice(0, p.indexOf(':')));
      return name ? `${p} (set by ${name})` : p;
    });
    // One problem stays on one line, so the add-on log shows it whole.
    const list = problems.length === 1 && !problems[0].includes('\n') ? ` ${problems[0]}` : `\n  ${problems.join('\n  ')}`;
    throw new ConfigError(`${source} is not valid:${list}`, problems);
  }
  return result.data;
}

/**
 * Reads the configuration: `--config`, else ARGUS_CONFIG, else Home Assistant's options file
 * (with the add-on's /config/argus.yml under it), else ./config/argus.yml; with none of them, an
 * empty config (the demo). Env vars apply last.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const haPath = opts.haOptionsPath ?? HA_OPTIONS_PATH;
  const explicit = opts.configPath ?? env.ARGUS_CONFIG;
  let raw: RawConfig = {};
  let source = 'defaults (no config file)';
  let warnings: string[] = [];
  if (explicit) {
    if (!existsSync(explicit)) throw new ConfigError(`config file not found: ${explicit}`);
    raw = standalone(explicit);
    source = explicit;
  } else if (existsSync(haPath)) {
    ({ raw, source, warnings } = readAddonConfig(haPath, opts.addonFilePath ?? env.ARGUS_ADDON_FILE ?? ADDON_FILE_PATH, env, opts.requireBroker));
  } else if (existsSync(DEFAULT_CONFIG_PATH)) {
    raw = standalone(DEFAULT_CONFIG_PATH);
    source = DEFAULT_CONFIG_PATH;
  }
  const applied = applyEnv(raw, env);
  const config = parseConfig(applied.raw, source, applied.fromEnv);
  // Frigate's cameras are cameras too: a Frigate-only setup must not send the demo's detections to HA.
  const demo = Object.keys(config.cameras).length === 0 && !config.frigate?.url;
  return { config, source, demo, secrets: collectSecrets(config), warnings };
}

function standalone(path: string): RawConfig {
  return camerasListToMap(dropUnset(asTopLevel(readConfigFile(path), path)) as RawConfig);
}
