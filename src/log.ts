import { pino, type Logger } from 'pino';
import { redactUrl } from './config/redact.js';

export type { Logger };

/**
 * The process logger. Every string that passes through it has URL credentials redacted, so a
 * camera URL logged by accident cannot leak its password.
 */
export function createLogger(level: string = 'info', destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['password', '*.password', 'token', '*.token'], censor: '***' },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redactUrl(a) : a)) as Parameters<typeof method>,
          );
        },
      },
      formatters: {
        log(obj) {
          for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') obj[k] = redactUrl(v);
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
