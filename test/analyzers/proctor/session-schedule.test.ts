import { describe, expect, it } from 'vitest';
import { SessionSchedule } from '../../../src/analyzers/proctor/session-schedule.js';
import { ProctorSessions } from '../../../src/analyzers/proctor/sessions.js';

/** Local time, as schedules read it: Monday 2 March 2026 is a Monday. */
const at = (day: number, hh: number, mm = 0) => new Date(2026, 2, day, hh, mm).getTime();

describe('exam sessions by schedule (cameras.<name>.analyzers.proctor.sessions)', () => {
  it('starts when a window opens and stops when it closes, acting only on those edges', () => {
    let now = at(2, 8, 59);
    const sessions = new ProctorSessions(() => now);
    const schedule = new SessionSchedule({ sessions, windows: { exam: ['mon-fri 09:00-12:00'], hall: [] }, now: () => now });
    const tick = (t: number) => {
      now = t;
      schedule.tick();
    };
    tick(at(2, 8, 59));
    expect(sessions.active('exam')).toBeNull();
    tick(at(2, 9, 0));
    expect(sessions.active('exam')).toMatchObject({ name: 'schedule', started_at: at(2, 9) });
    // the invigilator ends it early: it stays ended until the next window
    now = at(2, 10);
    sessions.stop('exam');
    tick(at(2, 10, 30));
    expect(sessions.active('exam')).toBeNull();
    tick(at(2, 12, 0));
    tick(at(3, 9, 0));
    expect(sessions.active('exam')?.started_at).toBe(at(3, 9));
    tick(at(3, 12, 0));
    expect(sessions.active('exam')).toBeNull();
    expect(sessions.list().map((s) => s.ended_at)).toEqual([at(3, 12), at(2, 10)]);
    // Saturday: no window
    tick(at(7, 9, 30));
    expect(sessions.active('exam')).toBeNull();
    expect(sessions.active('hall')).toBeNull();
  });

  it('leaves a session started by hand alone when a window closes', () => {
    let now = at(2, 8, 30);
    const sessions = new ProctorSessions(() => now);
    const schedule = new SessionSchedule({ sessions, windows: { exam: ['09:00-12:00'] }, now: () => now });
    schedule.tick();
    const manual = sessions.start('exam', 'Maths');
    now = at(2, 9);
    schedule.tick();
    now = at(2, 12);
    schedule.tick();
    expect(sessions.active('exam')?.id).toBe(manual.id);
  });

  it('carries on across a restart inside a window: the resumed session still ends with it, one ended early stays ended', () => {
    let now = at(2, 9);
    const sessions = new ProctorSessions(() => now); // the store brings running sessions back after a restart
    const scheduled = (t: number) => {
      now = t;
      const s = new SessionSchedule({ sessions, windows: { exam: ['mon-fri 09:00-12:00'] }, now: () => now });
      s.tick();
      return s;
    };
    scheduled(at(2, 9)).stop();
    const first = sessions.active('exam')!;
    // restarted at 10:00: the same session goes on, and the window's end stops it
    const second = scheduled(at(2, 10));
    expect(sessions.active('exam')?.id).toBe(first.id);
    now = at(2, 12);
    second.tick();
    expect(sessions.active('exam')).toBeNull();
    // Tuesday: ended early at 9:30, then a restart at 10:00 does not start it again
    scheduled(at(3, 9)).stop();
    now = at(3, 9, 30);
    sessions.stop('exam');
    scheduled(at(3, 10)).stop();
    expect(sessions.active('exam')).toBeNull();
    // Wednesday: started inside the window with nothing scheduled in it yet, it starts
    scheduled(at(4, 10)).stop();
    expect(sessions.active('exam')).toMatchObject({ name: 'schedule', started_at: at(4, 10) });
  });
});
