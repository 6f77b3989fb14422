import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportHtml } from '../analyzers/proctor/report-html.js';
import { reportCsv, sessionReport, type SessionReport } from '../analyzers/proctor/report.js';
import { openDatabase } from '../store/database.js';
import { EventStore } from '../store/events.js';
import { ProctorSessionStore } from '../store/proctor-sessions.js';

const USAGE = `usage: argus proctor report [--format text|json|csv|html] [--data <dir>] <session id>

Prints an exam session's report: per seat its incidents (cue, start, end, score, snapshot),
totals, and the enrolled faces recognised during it. Read from the sessions and events in
<dir>/argus.db (default: ARGUS_DATA_DIR, else ./data), so it works while Argus runs and after it
stopped; a session with no incident has a report too. Snapshot links are the API's paths
(events/<id>/snapshot.jpg under /api/). docs/proctoring.md.`;

const FORMATS = ['text', 'json', 'csv', 'html'] as const;

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { format: { type: 'string', default: 'text' }, data: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (err) {
    return refuse((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.info(USAGE);
    return 0;
  }
  const format = FORMATS.find((f) => f === values.format);
  if (!format) return refuse(`--format is one of ${FORMATS.join(', ')}, got "${values.format}"`);
  if (positionals.length !== 1) return refuse('give one session id');
  const path = join(resolve(values.data ?? process.env.ARGUS_DATA_DIR ?? './data'), 'argus.db');
  if (!existsSync(path)) {
    console.error(`argus proctor report: no database at ${path} (set --data or ARGUS_DATA_DIR)`);
    return 1;
  }
  const db = openDatabase(path);
  try {
    // the session as stored (its name and times), as the API reads it
    const known = new ProctorSessionStore(db).get(positionals[0]);
    const report = sessionReport(new EventStore(db), positionals[0], known, (e) => e.snapshot);
    if (!report) {
      console.error(`argus proctor report: no session "${positionals[0]}" in ${path}`);
      return 1;
    }
    const out = { text: asText, json: (r: SessionReport) => `${JSON.stringify(r, null, 2)}\n`, csv: reportCsv, html: reportHtml }[format](report);
    process.stdout.write(out);
    return 0;
  } finally {
    db.close();
  }
}

function asText(r: SessionReport): string {
  const lines = [`session ${r.session.id} on ${r.session.camera}: ${r.session.started_at} to ${r.session.ended_at ?? 'running'}, ${r.totals.incidents} incident(s)`];
  for (const seat of r.seats) {
    lines.push(`seat ${seat.seat}${seat.candidate ? ` (candidate ${seat.candidate})` : ''}:`);
    for (const i of seat.incidents) lines.push(`  ${i.start} to ${i.end ?? 'open'}  ${i.cue}  score ${i.score}${i.snapshot ? `  ${i.snapshot}` : ''}`);
  }
  lines.push(`recognised: ${r.recognised.map((p) => p.name).join(', ') || 'nobody'}`);
  return `${lines.join('\n')}\n`;
}

function refuse(why: string): number {
  console.error(`argus proctor report: ${why}\n\n${USAGE}`);
  return 2;
}
