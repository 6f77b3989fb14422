import { describe, expect, it } from 'vitest';
import { WriteFailures } from '../../src/events/write-failures.js';
import { capturingLogger } from '../helpers/log-lines.js';

const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('WriteFailures', () => {
  it('says a full data disk once, not for every event and write, and says when space is back', () => {
    const { logger, lines } = capturingLogger();
    const failures = new WriteFailures(logger);
    for (let i = 0; i < 5; i++) {
      failures.failed(`could not save the snapshot of event ${i}`, enospc, 'warn');
      failures.failed(`could not store event ${i} in the database`, new Error('database or disk is full'), 'error');
    }
    const loud = () => lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: unknown }).filter((l) => l.level >= 40);
    expect(loud()).toHaveLength(1);
    expect(failures.diskFull).toBe(true); // the health check says it
    expect(loud()[0].msg).toMatch(/^could not save the snapshot of event 0: the data folder is full\. Until space is freed, events still reach MQTT/);
    expect(loud()[0].err).toBeUndefined(); // no stack trace for a full disk
    failures.succeeded();
    expect(failures.diskFull).toBe(false);
    expect(lines.at(-1)).toContain('the data folder has space again');
    failures.failed('could not store event 9 in the database', enospc, 'error');
    expect(loud()).toHaveLength(2);
  });

  it('says any other failure every time, with its error', () => {
    const { logger, lines } = capturingLogger();
    const failures = new WriteFailures(logger);
    failures.failed('could not store event 1 in the database', new Error('SQLITE_READONLY'), 'error');
    failures.failed('could not store event 2 in the database', new Error('SQLITE_READONLY'), 'error');
    expect(lines.filter((l) => l.includes('"level":50') && l.includes('SQLITE_READONLY'))).toHaveLength(2);
  });
});
