import { redactSecrets } from '../../config/redact.js';
import type { ApiPlugin } from '../zod-validation.js';

export interface ConfigRouteDeps {
  /** The configuration as loaded, with its defaults filled in. */
  config: unknown;
  /** Where it came from (a file, the add-on options, the built-in defaults). */
  source: string;
  /** LoadedConfig.secrets: the values that must never be shown. */
  secrets: readonly string[];
  /** Whether the demo camera runs (no camera configured). */
  demo: boolean;
}

/** A key whose value is a secret whatever it holds. */
const SECRET_KEY = /password|token|secret|api_?key/i;
export const MASK = '***';

/** A copy of `value` with secret keys masked and every string scrubbed of secrets and URL passwords. */
export function maskSecrets(value: unknown, secrets: readonly string[], key = ''): unknown {
  if (typeof value === 'string') return SECRET_KEY.test(key) && value !== '' ? MASK : redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, secrets));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) && v !== null && v !== undefined && v !== '' ? MASK : maskSecrets(v, secrets, k)]));
  }
  return value;
}

/** `GET /api/config`: the configuration as loaded (defaults filled in), secrets masked; computed once. */
export const configRoutes: ApiPlugin<ConfigRouteDeps> = async (app, { config, source, secrets, demo }) => {
  const shown = { source: redactSecrets(source, secrets), demo, config: maskSecrets(config, secrets) };
  app.get('/', async (_req, reply) => reply.header('cache-control', 'no-store').send(shown));
};
