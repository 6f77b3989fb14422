/**
 * The Supervisor's own rules for an add-on's files, rewritten from its source
 * (home-assistant/supervisor: supervisor/apps/options.py, supervisor/apps/validate.py,
 * supervisor/store/validate.py), so the tests can hold config.yaml, the options and
 * translations/en.yaml to them without a Supervisor.
 */

/** options.py RE_SCHEMA_ELEMENT: the option types a schema may name. */
export const RE_SCHEMA_ELEMENT =
  /^(?:|bool|email|url|port|device(?:\((?<filter>subsystem=[a-z]+)\))?|str(?:\((?<s_min>\d+)?,(?<s_max>\d+)?\))?|password(?:\((?<p_min>\d+)?,(?<p_max>\d+)?\))?|int(?:\((?<i_min>-?\d+)?,(?<i_max>-?\d+)?\))?|float(?:\((?<f_min>-?\d*\.?\d+)?,(?<f_max>-?\d*\.?\d+)?\))?|match\((?<match>.*)\)|list\((?<list>.+)\))\??$/;

/**
 * validate.py RE_VOLUME, with the app-based names that Supervisor 2026.07 added
 * (home-assistant/supervisor#6992); the add-on-based ones still load but are "legacy".
 */
export const RE_VOLUME = /^(data|config|ssl|addons|backup|share|media|homeassistant_config|all_addon_configs|addon_config|local_apps|app_config|all_app_configs)(?::(rw|ro))?$/;
export const LEGACY_VOLUMES = ['config', 'addons', 'addon_config', 'all_addon_configs'];
export const RE_SERVICE = /^(?<service>mqtt|mysql):(?<rights>provide|want|need)$/;
export const RE_WATCHDOG = /^(?:https?|\[PROTO:\w+\]|tcp):\/\/\[HOST\]:(\[PORT:\d+\]|\d+).*$/;
export const RE_SLUG = /^[-_.A-Za-z0-9]+$/;

type Schema = string | Schema[] | { [key: string]: Schema };

/** options.py AppOptions: what the Supervisor says about options before it writes options.json. */
export function validateOptions(schema: Record<string, Schema>, options: unknown): string[] {
  const errors: string[] = [];
  validateDict(schema, options, 'root', errors);
  return errors;
}

function validateElement(typ: Schema, value: unknown, key: string, errors: string[]): void {
  if (Array.isArray(typ)) {
    if (!Array.isArray(value)) return void errors.push(`Invalid list for option '${key}'`);
    for (const element of value) validateElement(typ[0], element, key, errors);
  } else if (typeof typ === 'object') {
    validateDict(typ, value, key, errors);
  } else {
    const problem = singleProblem(typ, value);
    if (problem) errors.push(`${key}: ${problem}`);
  }
}

function validateDict(typ: Record<string, Schema>, value: unknown, key: string, errors: string[]): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return void errors.push(`Invalid dict for option '${key}'`);
  const data = value as Record<string, unknown>;
  // Unknown keys are dropped with a warning, not refused.
  for (const [k, v] of Object.entries(data)) if (k in typ) validateElement(typ[k], v, k, errors);
  for (const missing of Object.keys(typ).filter((k) => !(k in data))) {
    const t = typ[missing];
    const element = Array.isArray(t) && t.length > 0 ? t[0] : t;
    if (!(typeof element === 'string' && element.endsWith('?'))) errors.push(`Missing option '${missing}' in ${key}`);
  }
}

const TRUE = ['1', 'true', 'yes', 'on', 'enable'];
const FALSE = ['0', 'false', 'no', 'off', 'disable'];

function singleProblem(typ: string, value: unknown): string | undefined {
  if (value === null || value === undefined) return 'Missing required option';
  const m = RE_SCHEMA_ELEMENT.exec(typ);
  if (!m?.groups) return `Unknown type '${typ}'`;
  const g = m.groups;
  const inRange = (n: number, min?: string, max?: string) => (min === undefined || n >= Number(min)) && (max === undefined || n <= Number(max));
  const base = typ.replace(/\?$/, '').replace(/\(.*$/, '');
  switch (base) {
    case 'str':
    case 'password':
      return typeof value === 'object' ? 'not a string' : undefined;
    case 'int': {
      const n = typeof value === 'number' ? Math.trunc(value) : /^\s*-?\d+\s*$/.test(String(value)) ? Number(value) : NaN;
      return Number.isNaN(n) ? 'not an integer' : inRange(n, g.i_min, g.i_max) ? undefined : 'out of range';
    }
    case 'float': {
      const n = typeof value === 'number' ? value : Number(String(value).trim() || NaN);
      return Number.isNaN(n) ? 'not a number' : inRange(n, g.f_min, g.f_max) ? undefined : 'out of range';
    }
    case 'port': {
      const n = Number(value);
      return Number.isInteger(n) && n >= 1 && n <= 65535 ? undefined : 'not a port';
    }
    case 'bool':
      if (typeof value === 'boolean' || typeof value === 'number') return undefined;
      return [...TRUE, ...FALSE].includes(String(value).toLowerCase()) ? undefined : 'not a boolean';
    case 'url':
      return /^[a-z][a-z0-9+.-]*:\/\/[^/\s]+/i.test(String(value)) ? undefined : 'not a URL';
    case 'email':
      return /^[^@\s]+@[^@\s]+$/.test(String(value)) ? undefined : 'not an email';
    case 'match':
      // Python's re.match: anchored at the start only.
      return new RegExp(`^(?:${g.match})`).test(String(value)) ? undefined : `does not match ${g.match}`;
    case 'list':
      return g.list.split('|').includes(String(value)) ? undefined : `not one of ${g.list}`;
    default:
      return `type '${typ}' is not checked here`;
  }
}

/** Every leaf of an options schema as a path (`telegram.chats[].id`) with its type. */
export function schemaLeaves(schema: Schema, prefix = ''): Array<{ path: string; type: string }> {
  if (typeof schema === 'string') return [{ path: prefix, type: schema }];
  if (Array.isArray(schema)) return schemaLeaves(schema[0], `${prefix}[]`);
  return Object.entries(schema).flatMap(([k, v]) => schemaLeaves(v, prefix ? `${prefix}.${k}` : k));
}
