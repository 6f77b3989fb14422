import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, LogRing, readableLog } from '../src/log.js';

describe('LogRing', () => {
  it('passes every line on and keeps the last ones, redacted, for the log page', () => {
    const out: string[] = [];
    const ring = new LogRing({ write: (line: string) => out.push(line) }, 3);
    const log = createLogger('debug', ring, ['hunter22-secret']);
    log.debug('one');
    log.info('camera rtsp://admin:hunter22-secret@10.0.0.2/stream failed');
    log.child({ part: 'mqtt' }).warn('broker gone');
    log.error('four');
    expect(out).toHaveLength(4);
    const kept = ring.recent();
    expect(kept.map((l) => l.msg)).toEqual([expect.stringContaining('camera rtsp://admin:***@10.0.0.2'), 'broker gone', 'four']);
    expect(JSON.stringify(kept)).not.toContain('hunter22');
    expect(kept[1]).toMatchObject({ level: 40, part: 'mqtt' });
  });

  it("scrubs what the logger does not reach: an error object's message", () => {
    const ring = new LogRing({ write: () => true }, 10, ['hunter22-secret']);
    const log = createLogger('info', ring, ['hunter22-secret']);
    log.error({ err: new Error('bot token hunter22-secret rejected') }, 'Telegram failed');
    expect(JSON.stringify(ring.recent())).not.toContain('hunter22');
    expect(ring.recent()[0].err).toMatchObject({ message: 'bot token *** rejected' });
  });

  it('keeps a secret nested in an error out of the standard output too, not only out of the ring', () => {
    const written: string[] = [];
    const log = createLogger('info', { write: (line: string) => written.push(line) }, ['hunter22-secret']);
    log.error({ err: new Error('bot token hunter22-secret rejected', { cause: { url: 'x', detail: 'hunter22-secret' } }) }, 'Telegram failed');
    expect(written).toHaveLength(1);
    expect(written[0]).not.toContain('hunter22');
    expect(JSON.parse(written[0]).err.message).toBe('bot token *** rejected');
  });

  it('filters by level and keeps the newest under a limit', () => {
    const ring = new LogRing({ write: () => true });
    const log = createLogger('info', ring);
    for (let i = 0; i < 5; i++) log.info(`info ${i}`);
    log.warn('careful');
    log.error('broken');
    expect(ring.recent(40).map((l) => l.msg)).toEqual(['careful', 'broken']);
    expect(ring.recent(30, 2).map((l) => l.msg)).toEqual(['careful', 'broken']);
    expect(ring.recent(50).map((l) => l.msg)).toEqual(['broken']);
  });
});

describe('readableLog', () => {
  it('writes a line a person reads: the time of day, the level in words and the message, secrets still scrubbed', () => {
    const out: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        out.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('info', readableLog(sink), ['hunter2-secret']);
    logger.child({ part: 'cameras' }).warn('camera yard: rtsp://admin:hunter2-secret@10.0.0.5/live refused');
    const text = out.join('');
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] WARN: \[cameras\] camera yard: rtsp:\/\/admin:\*\*\*@10\.0\.0\.5\/live refused\n$/);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('{"level"');
  });
});
