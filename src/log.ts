import { pino, type Logger } from 'pino';
import { redactSecrets } from './config/redact.js';

export type { Logger };

/**
 * The process logger. Every string that passes through it has URL credentials and the config's
 * secret values (`LoadedConfig.secrets`: tokens, broker and camera passwords) redacted, so a
 * secret logged by accident, e.g. inside a library's error text, does not reach the log.
 */
export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream, secrets: readonly string[] = []): Logger {
  const scrub = (text: string): string => redactSecrets(text, secrets);
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '***' },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log(obj) {
          for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') obj[k] = scrub(v);
          return obj;
        },
      },
    },
    destination ?? process.stdout,
  );
}

/** A logger that drops everything: for tests and one-shot commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
