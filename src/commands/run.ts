import { parseArgs } from 'node:util';
import { ConfigError } from '../config/errors.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { Argus } from '../main.js';

const HELP = `usage: argus [run] [--config <file>]

Watches the configured cameras. With no config at all, runs the demo camera.
  --config <file>   YAML config (default: ARGUS_CONFIG, /data/options.json, ./config/argus.yml)
Env: ARGUS_DATA_DIR, ARGUS_PORT, ARGUS_MQTT_URL, ARGUS_MQTT_USER, ARGUS_MQTT_PASSWORD, ARGUS_TOKEN, ARGUS_LOG_LEVEL`;

/** Runs until SIGINT/SIGTERM; returns -1 so the CLI leaves the process to its own event loop. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  let loaded;
  try {
    loaded = loadConfig({ configPath: values.config });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`argus: ${err.message}`);
      // In the add-on, a failed exit makes the Supervisor's watchdog restart it into the same
      // error; a clean one leaves the sentence in the log for the user.
      return process.env.SUPERVISOR_TOKEN ? 0 : 78; // EX_CONFIG
    }
    throw err;
  }
  const logger = createLogger(loaded.config.log_level);
  const argus = new Argus(loaded, logger);
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
    logger.fatal(`could not start: ${(err as Error).message}`);
    await argus.stop();
    return 1;
  }
  return -1;
}
