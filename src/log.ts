import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { redactSecrets } from './config/redact.js';

export type { Logger };

/**
 * The process logger. Every string that passes through it has URL credentials and the config's
 * secret values (`LoadedConfig.secrets`: tokens, broker and camera passwords) redacted, so a
 * secret logged by accident, e.g. inside a library's error text, does not reach the log.
 */
export function createLogger(level: string = 'info', destination?: DestinationStream, secrets: readonly string[] = []): Logger {
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
    scrubbing(destination ?? process.stdout, secrets),
  );
}

/**
 * The last line of defence: each serialized line is scrubbed as a whole, which reaches what the
 * hooks above cannot (a secret inside a nested value, an error's message or cause).
 */
function scrubbing(next: DestinationStream, secrets: readonly string[]): DestinationStream {
  return { write: (line: string) => next.write(redactSecrets(line, secrets)) };
}

/**
 * Lines for a person at a terminal: the time of day, the level in words, the message, then the
 * rest; standard output stays one JSON object a line everywhere else (the add-on, services, pipes).
 */
export function readableLog(destination: NodeJS.WritableStream | number = 1): DestinationStream {
  return PinoPretty({
    destination,
    sync: true,
    colorize: typeof destination === 'number' && process.stdout.isTTY,
    translateTime: 'SYS:HH:MM:ss',
    // the part of Argus (and the camera) before the message, on its line
    messageFormat: '{if part}[{part}] {end}{if camera}[{camera}] {end}{msg}',
    ignore: 'pid,hostname,part,camera',
  });
}

/** Pino's numeric levels by name. */
export const LOG_LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;

/** One line the logger wrote, as the log page shows it. */
export interface LogLine {
  time: number;
  level: number;
  msg: string;
  /** The child logger's bindings (part, camera, analyzer…). */
  [key: string]: unknown;
}

/**
 * A pino destination that passes every line on and keeps the last `size` in memory, for the log
 * page (`GET /api/logs`). The logger scrubs the strings it is handed; the kept copy is scrubbed
 * once more as a whole, since nested values (an error's message) are not.
 */
export class LogRing {
  private readonly lines: string[] = [];

  constructor(
    private readonly next: { write(line: string): unknown } = process.stdout,
    readonly size = 1000,
    private readonly secrets: readonly string[] = [],
  ) {}

  write(line: string): void {
    this.next.write(line);
    this.lines.push(redactSecrets(line, this.secrets));
    if (this.lines.length > this.size) this.lines.shift();
  }

  /** The kept lines at `minLevel` or above, oldest first, at most `limit` (the newest). */
  recent(minLevel = 0, limit = this.size): LogLine[] {
    const out: LogLine[] = [];
    for (let i = this.lines.length - 1; i >= 0 && out.length < limit; i--) {
      let line: LogLine;
      try {
        line = JSON.parse(this.lines[i]) as LogLine;
      } catch {
        continue; // a pretty-printed or partial line: not ours to show
      }
      if (line.level >= minLevel) out.push(line);
    }
    return out.reverse();
  }
}

/** A logger that drops everything: for tests and one-shot commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
