import { ConfigError } from './errors.js';
import { isPlainObject, type RawConfig } from './read-file.js';

/**
 * Home Assistant writes every section of the add-on's options, unset fields as "" or null, and
 * YAML users write `telegram:` to mean nothing. Both mean "not set": drop them before validating.
 */
export function dropUnset(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUnset);
  if (!isPlainObject(value)) return value;
  const out: RawConfig = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === '') continue;
    const cleaned = dropUnset(v);
    if (OPTIONAL_SECTIONS.has(k) && isPlainObject(cleaned) && Object.keys(cleaned).length === 0) continue;
    out[k] = cleaned;
  }
  return out;
}
/** Sections that switch a feature on by being present. */
const OPTIONAL_SECTIONS = new Set(['telegram', 'homeassistant', 'frigate']);

/** HA add-on options can't hold maps keyed by user names, so cameras arrive there as a list with a `name`. */
export function camerasListToMap(raw: RawConfig): RawConfig {
  if (!Array.isArray(raw.cameras)) return raw;
  const cameras: RawConfig = {};
  raw.cameras.forEach((entry: unknown, i: number) => {
    const name = isPlainObject(entry) ? entry.name : undefined;
    if (!isPlainObject(entry) || typeof name !== 'string') {
      throw new ConfigError(`cameras.${i}.name: got ${JSON.stringify(name)}; expected a camera name`);
    }
    // the map form refuses a repeated key; the list must too, not let the last entry win unsaid
    if (Object.hasOwn(cameras, name)) {
      const first = (raw.cameras as unknown[]).findIndex((e) => isPlainObject(e) && e.name === name);
      throw new ConfigError(`cameras.${i}.name: "${name}" is also the name of cameras.${first}; each camera needs a name of its own`);
    }
    const { name: _name, ...rest } = entry;
    cameras[name] = rest;
  });
  return { ...raw, cameras };
}
