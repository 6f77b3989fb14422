import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportHtml } from '../analyzers/proctor/report-html.js';
import { reportPictures } from '../analyzers/proctor/report-pictures.js';
import { reportCsv, sessionReport, type SessionReport } from '../analyzers/proctor/report.js';
import { ConfigError } from '../config/errors.js';
import { SnapshotStore } from '../events/snapshot-store.js';
import { loadConfig } from '../config/load.js';
import { openDatabase } from '../store/database.js';
import { EventStore } from '../store/events.js';
import { ProctorSessionStore } from '../store/proctor-sessions.js';

const USAGE = `usage: argus proctor report [--format text|json|csv|html [--embed]] [--data <dir> | --config <file>] [<session id>]

Without a session id, lists the newest sessions (id, camera, name, start, end). With one, prints an exam session's report: per seat its incidents (cue, start, end, score, snapshot),
totals, and the enrolled faces recognised during it. Read from the sessions and events in
<dir>/argus.db (default: the config's data_dir with --config, else ARGUS_DATA_DIR, else ./data), so it works while Argus runs and after it
stopped; a session with no incident has a report too. Snapshot links are the API's paths
(events/<id>/snapshot.jpg under /api/); with --format html --embed each incident's picture is
in the page itself, a record to keep or mail. docs/proctoring.md.`;

const FORMATS = ['text', 'json', 'csv', 'html'] as const;

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        format: { type: 'string', default: 'text' },
        embed: { type: 'boolean', default: false },
        data: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
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
  if (positionals.length > 1) return refuse('give one session id');
  if (values.embed && format !== 'html') return refuse('--embed puts the pictures in the HTML page: use it with --format html');
  let dataDir = values.data ?? process.env.ARGUS_DATA_DIR ?? './data';
  if (values.config && !values.data) {
    try {
      dataDir = loadConfig({ configPath: values.config }).config.data_dir;
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      console.error(`argus proctor report: ${err.message}`);
      return 78;
    }
  }
  const path = join(resolve(dataDir), 'argus.db');
  if (!existsSync(path)) {
    console.error(`argus proctor report: no database at ${path} (set --data or ARGUS_DATA_DIR)`);
    return 1;
  }
  const db = openDatabase(path);
  try {
    const sessions = new ProctorSessionStore(db);
    const recent = [...sessions.running(), ...sessions.ended(RECENT)].slice(0, RECENT);
    if (positionals.length === 0) {
      process.stdout.write(recent.length ? `${recent.map(sessionLine).join('\n')}\n` : `no exam sessions in ${path}\n`);
      return 0;
    }
    // the session as stored (its name and times), as the API reads it
    const known = sessions.get(positionals[0]);
    const report = sessionReport(new EventStore(db), positionals[0], known, (e) => e.snapshot);
    if (!report) {
      console.error(`argus proctor report: no session "${positionals[0]}" in ${path}${recent.length ? `; the newest: ${recent.map((s) => s.id).join(', ')}` : ''}`);
      return 1;
    }
    const snapshots = new SnapshotStore(join(resolve(dataDir), 'snapshots'));
    const pictures = values.embed ? await reportPictures(report, (id) => snapshots.load(id, 'crop.jpg')) : undefined;
    const html = (r: SessionReport) => reportHtml(r, Date.now(), undefined, pictures);
    const out = { text: asText, json: (r: SessionReport) => `${JSON.stringify(r, null, 2)}\n`, csv: reportCsv, html }[format](report);
    process.stdout.write(out);
    return 0;
  } finally {
    db.close();
  }
}

/** How many sessions the list shows. */
const RECENT = 20;

function sessionLine(s: { id: string; camera: string; name: string; started_at: number; ended_at: number | null }): string {
  const at = (ms: number) => new Date(ms).toISOString();
  return `${s.id}  ${s.camera}  ${s.name ? `"${s.name}"  ` : ''}${at(s.started_at)} to ${s.ended_at === null ? 'running' : at(s.ended_at)}`;
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
