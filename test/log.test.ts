import { describe, expect, it } from 'vitest';
import { createLogger, LogRing } from '../src/log.js';

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
