import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './errors.js';

/** Parses a JSON (by its .json name) or YAML config file; a syntax error names the file and line. */
export function readConfigFile(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  const json = path.endsWith('.json');
  try {
    return json ? JSON.parse(text) : (parseYaml(text) ?? {});
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new ConfigError(`${path}: not valid ${json ? 'JSON' : 'YAML'}${where}: ${(err as Error).message.split('\n')[0]}`);
  }
}

export type RawConfig = Record<string, unknown>;

export function isPlainObject(value: unknown): value is RawConfig {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A config's top level must be a mapping; anything else is the user's mistake, named as such. */
export function asTopLevel(raw: unknown, source: string): RawConfig {
  if (raw === null || raw === undefined) return {};
  if (!isPlainObject(raw)) throw new ConfigError(`${source}: the top level must be a mapping of keys (cameras, mqtt, server, …)`);
  return raw;
}
