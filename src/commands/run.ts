import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import { redactUrl } from '../config/redact.js';
import { createLogger, LogRing, readableLog } from '../log.js';
import { Argus } from '../main.js';
import { serveConfigError } from './config-error-page.js';

const HELP = `usage: argus [run] [--config <file> | --options <file>] [--wait-on-config-error]

Watches the configured cameras. With no config at all, runs the demo camera.
  --config <file>          YAML config (default: ARGUS_CONFIG, /data/options.json, ./config/argus.yml)
  --options <file>         Home Assistant add-on options (default /data/options.json), laid over
                           the add-on's config file (ARGUS_ADDON_FILE, default /config/argus.yml)
  --wait-on-config-error   on a config error, print it and stay up answering /api/health
                           (the add-on: no restart loop) instead of exiting with 78
Env: ARGUS_DATA_DIR, ARGUS_PORT, ARGUS_MQTT_URL, ARGUS_MQTT_USER, ARGUS_MQTT_PASSWORD, ARGUS_TOKEN, ARGUS_LOG_LEVEL`;

const EX_CONFIG = 78;

/** Runs until SIGINT/SIGTERM; returns -1 so the CLI leaves the process to its own event loop. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      options: { type: 'string' },
      'wait-on-config-error': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let loaded: LoadedConfig;
  try {
    if (values.options && !existsSync(values.options)) throw new ConfigError(`add-on options not found: ${values.options}`);
    loaded = loadConfig({ configPath: values.config, haOptionsPath: values.options, requireBroker: true });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const message = redactUrl(err.message);
    console.error(`argus: ${message}`);
    return values['wait-on-config-error'] ? waitWithError(message) : EX_CONFIG;
  }
  // Everything Argus writes (database, snapshots, backups, the token) is its user's alone: 0600 / 0700.
  process.umask(0o077);
  // The log page's recent lines: a ring beside standard output.
  const ring = new LogRing(process.stdout.isTTY ? readableLog() : process.stdout, 1000, loaded.secrets);
  const logger = createLogger(loaded.config.log_level, ring, loaded.secrets);
  for (const warning of loaded.warnings) logger.warn(warning);
  const argus = new Argus(loaded, logger, undefined, ring);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    const force = setTimeout(() => process.exit(1), 10_000).unref();
    argus.stop().then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await argus.start();
  } catch (err) {
    const message = (err as Error).message;
    const full = /disk is full|ENOSPC|no space left/i.test(message)
      ? ` (the data folder ${loaded.config.data_dir} is full: Argus needs 15 MB free there to start, the weapon verifier it builds there being 12 MB, and room for its snapshots)`
      : '';
    logger.fatal(`could not start: ${message}${full}`);
    await argus.stop();
    return 1;
  }
  return -1;
}

/** Stays up with the error on the health URL and the panel (why: src/commands/config-error-page.ts). */
async function waitWithError(message: string): Promise<number> {
  const port = Number(process.env.ARGUS_PORT) || 8099;
  try {
    const server = await serveConfigError(message, port);
    const stop = () => {
      server.close(() => process.exit(0));
      server.closeAllConnections();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    return -1;
  } catch (err) {
    console.error(`argus: could not serve the error on port ${port}: ${(err as Error).message}`);
    return EX_CONFIG;
  }
}
