import { describe, expect, it } from 'vitest';
import { Schedule, parseSchedule } from '../../src/analyzers/schedule.js';
import { cameraAnalyzersSchema } from '../../src/analyzers/config.js';

// Local time, as the schedule reads it: 23 Nov 2026 is a Monday.
const at = (day: number, h: number, m = 0) => new Date(2026, 10, 23 + day, h, m).getTime();
const MON = 0,
  TUE = 1,
  FRI = 4,
  SAT = 5,
  SUN = 6;

describe('Schedule', () => {
  it('is always active without windows', () => {
    expect(new Schedule([]).isActive(at(MON, 3))).toBe(true);
  });

  it('runs a window past midnight into the next day, starting only on the listed days', () => {
    const s = new Schedule(['mon-fri 22:00-06:00']);
    expect(s.isActive(at(MON, 21, 59))).toBe(false);
    expect(s.isActive(at(MON, 22, 0))).toBe(true);
    expect(s.isActive(at(TUE, 5, 59))).toBe(true);
    expect(s.isActive(at(TUE, 6, 0))).toBe(false);
    // Friday night runs into Saturday morning; Sunday night is not listed, so Monday 03:00 is off
    expect(s.isActive(at(SAT, 3))).toBe(true);
    expect(s.isActive(at(SAT, 22, 30))).toBe(false);
    expect(s.isActive(at(MON, 3))).toBe(false);
    expect(s.isActive(at(TUE, 12))).toBe(false);
  });

  it('takes day lists, whole days, and times that apply every day', () => {
    const weekend = new Schedule(['sat,sun']);
    expect(weekend.isActive(at(SUN, 23, 59))).toBe(true);
    expect(weekend.isActive(at(FRI, 12))).toBe(false);
    const office = new Schedule(['08:00-18:00']);
    expect(office.isActive(at(SUN, 8))).toBe(true);
    expect(office.isActive(at(SUN, 18))).toBe(false);
    const either = new Schedule(['sat 10:00-11:00', 'tue 23:30-00:30']);
    expect(either.isActive(at(SAT, 10, 30))).toBe(true);
    expect(either.isActive(at(1 + 1, 0, 15))).toBe(true); // Wednesday 00:15, after Tuesday 23:30
    expect(either.isActive(at(TUE, 0, 15))).toBe(false);
  });

  it('wraps a day range over the weekend', () => {
    expect([...parseSchedule('fri-mon').days].sort()).toEqual([0, 1, 5, 6]);
  });

  it('refuses what it cannot read, saying what is wrong', () => {
    expect(() => parseSchedule('weekdays 22:00-06:00')).toThrow(/"weekdays" is not a day/);
    expect(() => parseSchedule('mon 25:00-06:00')).toThrow(/not a time of day/);
    expect(() => parseSchedule('mon 10-12')).toThrow(/HH:MM-HH:MM/);
    expect(() => parseSchedule('mon 10:00-10:00')).toThrow(/same time/);
    // 24:00 ends a day; as a start it read as the next day's midnight, unsaid
    expect(() => parseSchedule('24:00-06:00')).toThrow(/24:00 ends a day; a window starting at midnight starts at 00:00/);
    expect(parseSchedule('22:00-24:00').end).toBe(24 * 60);
    // each part once: these read as Sunday alone, and as the second window alone
    expect(() => parseSchedule('sat sun')).toThrow(/give the days as one list, e\.g\. "sat,sun"/);
    expect(() => parseSchedule('22:00-06:00 08:00-09:00')).toThrow(/one time window an entry; list "22:00-06:00" and "08:00-09:00" as entries of their own/);
    // a day's name or its start, not any word that begins like one
    expect(() => parseSchedule('sunshine')).toThrow(/"sunshine" is not a day/);
    expect([...parseSchedule('tues,saturday').days]).toEqual([2, 6]);
  });

  it('is checked when the camera config is read', () => {
    const bad = cameraAnalyzersSchema.safeParse({ weapon: { schedule: ['mon-fri 22:00-6'] } });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toMatch(/HH:MM/);
    const good = cameraAnalyzersSchema.parse({ weapon: { schedule: ['mon-fri 22:00-06:00'] } });
    expect(good.weapon.schedule).toEqual(['mon-fri 22:00-06:00']);
    expect(good.faces.enabled).toBe(true);
  });
});
