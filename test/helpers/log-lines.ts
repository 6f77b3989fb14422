import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/log.js';

/** A debug-level logger whose JSON lines the test reads back. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  return { logger: createLogger('debug', sink), lines };
}
