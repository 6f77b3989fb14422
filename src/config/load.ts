import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { configSchema, type ArgusConfig } from './schema.js';
import { ConfigError, describeIssues } from './errors.js';

export const HA_OPTIONS_PATH = '/data/options.json';
export const DEFAULT_CONFIG_PATH = './config/argus.yml';

export interface LoadOptions {
  /** `--config <file>`; wins over ARGUS_CONFIG and the defaults. */
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Where Home Assistant writes the add-on options (overridable for tests). */
  haOptionsPath?: string;
}

export interface LoadedConfig {
  config: ArgusConfig;
  /** Where the config came from, for the start-up log line. */
  source: string;
  /** True when nothing configured any camera: Argus runs its demo camera. */
  demo: boolean;
  /** Secret values present in the config, so logs and status text can scrub them. */
  secrets: string[];
}

function readFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return path.endsWith('.json') ? JSON.parse(text) : (parseYaml(text) ?? {});
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError(`${path}: not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}${where}: ${(err as Error).message.split('\n')[0]}`);
  }
}

/** HA add-on options can't hold maps keyed by user names, so cameras arrive there as a list with a `name`. */
function camerasListToMap(raw: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(raw.cameras)) return raw;
  const cameras: Record<string, unknown> = {};
  raw.cameras.forEach((entry: unknown, i: number) => {
    if (!entry || typeof entry !== 'object' || typeof (entry as { name?: unknown }).name !== 'string') {
      throw new ConfigError(`cameras.${i}.name: got ${JSON.stringify((entry as { name?: unknown })?.name)}; expected a camera name`);
    }
    const { name, ...rest } = entry as { name: string };
    cameras[name] = rest;
  });
  return { ...raw, cameras };
}

/**
 * Home Assistant writes every section of the add-on's options, unset fields as "" or null, and
 * YAML users write `telegram:` to mean nothing. Both mean "not set": drop them before validating.
 */
export function dropUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUnset);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === '') continue;
    const cleaned = dropUnset(v);
    if (OPTIONAL_SECTIONS.has(k) && cleaned && typeof cleaned === 'object' && !Array.isArray(cleaned) && Object.keys(cleaned).length === 0) continue;
    out[k] = cleaned;
  }
  return out;
}
/** Sections that switch a feature on by being present. */
const OPTIONAL_SECTIONS = new Set(['telegram', 'homeassistant', 'frigate']);

/** Env vars override the file, so a second instance or a test can run beside the first. */
function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = { ...raw };
  const section = (key: string): Record<string, unknown> => {
    const cur = out[key];
    const copy = cur && typeof cur === 'object' ? { ...(cur as Record<string, unknown>) } : {};
    out[key] = copy;
    return copy;
  };
  if (env.ARGUS_DATA_DIR) out.data_dir = env.ARGUS_DATA_DIR;
  if (env.ARGUS_LOG_LEVEL) out.log_level = env.ARGUS_LOG_LEVEL;
  if (env.ARGUS_PORT) {
    const port = Number(env.ARGUS_PORT);
    if (!Number.isInteger(port)) throw new ConfigError(`ARGUS_PORT: got ${JSON.stringify(env.ARGUS_PORT)}; expected a port number`);
    section('server').port = port;
  }
  if (env.ARGUS_TOKEN) section('server').token = env.ARGUS_TOKEN;
  if (env.ARGUS_TELEGRAM_TOKEN) section('telegram').token = env.ARGUS_TELEGRAM_TOKEN;
  if (env.ARGUS_HA_TOKEN) section('homeassistant').token = env.ARGUS_HA_TOKEN;
  if (env.ARGUS_MQTT_URL) section('mqtt').url = env.ARGUS_MQTT_URL;
  if (env.ARGUS_MQTT_USER) section('mqtt').user = env.ARGUS_MQTT_USER;
  if (env.ARGUS_MQTT_PASSWORD) section('mqtt').password = env.ARGUS_MQTT_PASSWORD;
  return out;
}

function collectSecrets(config: ArgusConfig): string[] {
  const secrets: string[] = [];
  if (config.mqtt.password) secrets.push(config.mqtt.password);
  if (config.server.token) secrets.push(config.server.token);
  if (config.telegram?.token) secrets.push(config.telegram.token);
  if (config.homeassistant?.token) secrets.push(config.homeassistant.token);
  for (const cam of Object.values(config.cameras)) {
    try {
      const u = new URL(cam.url);
      if (u.password) secrets.push(decodeURIComponent(u.password));
    } catch {
      // a file path: no credentials in it
    }
  }
  return secrets;
}

/** Validates an already-parsed config object (any of the three ways in ends here). */
export function parseConfig(raw: unknown, source = 'config'): ArgusConfig {
  const input = raw === null || raw === undefined ? {} : raw;
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ConfigError(`${source}: the top level must be a mapping of keys (cameras, mqtt, server, …)`);
  }
  const result = configSchema.safeParse(input);
  if (!result.success) {
    const problems = describeIssues(result.error, input, configSchema);
    throw new ConfigError(`${source} is not valid:\n  ${problems.join('\n  ')}`, problems);
  }
  return result.data;
}

/**
 * Reads the configuration: `--config`, else ARGUS_CONFIG, else Home Assistant's options file,
 * else ./config/argus.yml; with none of them, an empty config (the demo). Env vars apply last.
 */
export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const haPath = opts.haOptionsPath ?? HA_OPTIONS_PATH;
  const explicit = opts.configPath ?? env.ARGUS_CONFIG;
  let raw: unknown = {};
  let source = 'defaults (no config file)';
  if (explicit) {
    if (!existsSync(explicit)) throw new ConfigError(`config file not found: ${explicit}`);
    raw = readFile(explicit);
    source = explicit;
  } else if (existsSync(haPath)) {
    raw = readFile(haPath);
    source = haPath;
  } else if (existsSync(DEFAULT_CONFIG_PATH)) {
    raw = readFile(DEFAULT_CONFIG_PATH);
    source = DEFAULT_CONFIG_PATH;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${source}: the top level must be a mapping of keys (cameras, mqtt, server, …)`);
  }
  const merged = applyEnv(camerasListToMap(dropUnset(raw) as Record<string, unknown>), env);
  const config = parseConfig(merged, source);
  return { config, source, demo: Object.keys(config.cameras).length === 0, secrets: collectSecrets(config) };
}
