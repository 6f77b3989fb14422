import { closest } from './closest.js';
import { redactSecrets, urlSecrets } from './redact.js';
import type { z } from 'zod';

/** A configuration problem a user can fix: it names the key, the bad value and what is allowed. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    message: string,
    readonly problems: string[] = [message],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const SECRET_KEYS = /password|token|secret/i;

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function show(value: unknown, path: PropertyKey[]): string {
  if (value === undefined) return 'nothing';
  if (path.some((p) => typeof p === 'string' && SECRET_KEYS.test(p))) return '(a secret, not shown)';
  // a camera URL may hold its password
  const text = typeof value === 'string' ? redactSecrets(JSON.stringify(value), urlSecrets(value)) : redactSecrets(JSON.stringify(value), []);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Known keys of the object schema at `path`, for "did you mean" hints. */
function knownKeys(schema: z.ZodType, path: PropertyKey[]): string[] {
  let cur: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    let x = s as { def?: { innerType?: unknown; in?: unknown; type?: string } };
    while (x?.def?.innerType || (x?.def?.type === 'pipe' && x.def.in)) x = (x.def.innerType ?? x.def.in) as typeof x;
    return x;
  };
  for (const key of path) {
    cur = unwrap(cur);
    const def = (cur as { def?: { type?: string; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown } }).def;
    if (def?.type === 'object' && def.shape) cur = def.shape[key as string];
    else if (def?.type === 'record') cur = def.valueType;
    else if (def?.type === 'array' && typeof key === 'number') cur = def.element;
    else return [];
  }
  const def = (unwrap(cur) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/** Turns zod's issues into one line per problem, in the user's terms. */
export function describeIssues(error: z.ZodError, input: unknown, schema: z.ZodType): string[] {
  // biome-ignore lint/complexity/noExcessiveCognitiveComplexity: one case per zod issue code, each turned into a sentence a user can act on
  return error.issues.flatMap((issue) => {
    const path = issue.path;
    const key = path.length ? path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path);
      // one line each: the caller indents each line it is given
      return issue.keys.map((k) => {
        const full = [...path, k].join('.');
        const hint = closest(k, known);
        return `${full}: unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed here: ${known.join(', ')}`;
      });
    }
    const got = show(valueAt(input, path), path);
    let allowed = issue.message;
    if (issue.code === 'invalid_value') allowed = `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    else if (issue.code === 'invalid_type')
      allowed = `${/^[aeiou]/.test(issue.expected) ? 'an' : 'a'} ${issue.expected}${issue.expected === 'object' ? ' (keys below it, indented)' : ''}`;
    else if (issue.code === 'too_small') allowed = `${issue.origin === 'string' ? 'a length of ' : ''}${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`;
    else if (issue.code === 'too_big') allowed = `${issue.origin === 'string' ? 'a length of ' : ''}${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`;
    else if (issue.code === 'invalid_key') allowed = issue.issues.map((i) => i.message).join('; ');
    if (issue.code === 'invalid_key') return `${key}: the name ${show(path.at(-1), [])} is not allowed: ${allowed}`;
    return `${key}: got ${got}; expected ${allowed}`;
  });
}
