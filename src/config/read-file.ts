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
    if (!(err instanceof YAMLParseError) || !err.linePos) throw new ConfigError(`${path}: not valid ${json ? 'JSON' : 'YAML'}: ${(err as Error).message.split('\n')[0]}`);
    throw new ConfigError(`${path}: not valid YAML ${yamlProblem(err, text)}`);
  }
}

/** "at line 4, column 3: …" with the yaml library's position and code frame taken off its message, and the key a duplicate is. */
function yamlProblem(err: YAMLParseError, text: string): string {
  const { line, col } = err.linePos![0];
  const what = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  const key = err.code === 'DUPLICATE_KEY' ? /^\s*(?:-\s+)?["']?([^"':#]+?)["']?\s*:/.exec(text.split('\n')[line - 1] ?? '')?.[1] : undefined;
  return `at line ${line}, column ${col}: ${what}${key ? ` ("${key}" appears twice)` : ''}`;
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
