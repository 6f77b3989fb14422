import { describe, expect, it } from 'vitest';
import type { SessionReport } from '../../../src/analyzers/proctor/report.js';
import { reportHtml } from '../../../src/analyzers/proctor/report-html.js';

const report = (ended: string | null, end: string | null): SessionReport => ({
  session: { id: 's', camera: 'exam', name: 'Maths', started_at: '2026-03-03T09:00:00.000Z', ended_at: ended },
  seats: [
    {
      seat: 'A1',
      candidate: null,
      incidents: [{ event: 'e', cue: 'phone', start: '2026-03-03T09:30:00.000Z', end, duration: null, score: 0.9, snapshot: null }],
    },
  ],
  totals: { incidents: 1, by_cue: { phone: 1 }, by_seat: { A1: 1 } },
  recognised: [],
});
const bar = (html: string) => /style="left:([\d.]+)%;width:([\d.]+)%"/.exec(html)!.slice(1).map(Number);

describe('the report page', () => {
  it('draws a running session up to now, an incident still open to the bar’s end (it was drawn 0 wide)', () => {
    const now = Date.parse('2026-03-03T10:00:00.000Z');
    expect(bar(reportHtml(report(null, null), now))).toEqual([50, 50]);
    expect(bar(reportHtml(report('2026-03-03T11:00:00.000Z', '2026-03-03T09:45:00.000Z'), now))).toEqual([25, 12.5]);
  });

  it('gives times where the exam was held (the time zone Argus runs in), not UTC', () => {
    const now = Date.parse('2026-03-03T10:00:00.000Z');
    const html = reportHtml(report('2026-03-03T11:00:00.000Z', '2026-03-03T09:45:00.000Z'), now, 'Europe/Berlin');
    expect(html).toContain('Tue, 3 Mar 2026 10:00:00 to 12:00:00 (Europe/Berlin time)');
    expect(html).toContain('<td>phone</td><td>10:30:00</td><td>10:45:00</td>');
    const running = reportHtml(report(null, null), now, 'America/New_York');
    expect(running).toContain('Tue, 3 Mar 2026 04:00:00 to still running (America/New_York time)');
    expect(running).toContain('<td>phone</td><td>04:30:00</td><td>open</td>');
  });
});
