import type { SessionReport } from './report.js';

const esc = (s: string | number | null) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

/**
 * The page's times: the day and the time of day where the exam was held (the process's time zone:
 * the add-on's is Home Assistant's, TZ), not UTC as in the CSV and JSON, which say so with their Z.
 */
function clocks(timeZone: string) {
  const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const day = new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  return {
    clock: (isoTime: string | null) => (isoTime ? time.format(Date.parse(isoTime)) : 'open'),
    day: (isoTime: string) => day.format(Date.parse(isoTime)),
  };
}

/** The picture itself when there is one, and the link (full size, while it lasts). */
function snapshotCell(i: { snapshot: string | null; cue: string }, jpeg: Buffer | undefined): string {
  const link = i.snapshot ? `<a href="${esc(i.snapshot)}">snapshot</a>` : '';
  const picture = jpeg ? `<img src="data:image/jpeg;base64,${jpeg.toString('base64')}" alt="${esc(i.cue)}" width="96"><br>` : '';
  return picture || link ? `${picture}${link}` : '<span class="muted">none</span>';
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:left}th{background:#f3f3f3}
.bar{position:relative;height:14px;background:#eee;margin:.3em 0 .6em}.bar span{position:absolute;top:0;height:14px;background:#ff851b;min-width:2px}
.muted{color:#777}`;

/**
 * The report as one self-contained page (inline CSS, no scripts, no fetched assets) for
 * download or print: the session, totals, the candidates recognised, then per seat a timeline
 * bar and its incidents. Snapshots are links, not embedded, so the page stays small.
 */
export function reportHtml(
  r: SessionReport,
  now = Date.now(),
  timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone,
  /** Incidents' pictures by event id, drawn in the page (reportPictures): a record that outlives the links. */
  pictures: ReadonlyMap<string, Buffer> = new Map(),
): string {
  const s = r.session;
  const { clock, day } = clocks(timeZone);
  const until = s.ended_at === null ? 'still running' : day(s.ended_at) === day(s.started_at) ? clock(s.ended_at) : `${day(s.ended_at)} ${clock(s.ended_at)}`;
  const t0 = Date.parse(s.started_at);
  // A session still running is drawn up to now, its open incidents too (they were drawn 0 wide).
  const t1 = s.ended_at ? Date.parse(s.ended_at) : Math.max(t0 + 1, now, ...r.seats.flatMap((x) => x.incidents.map((i) => Date.parse(i.end ?? i.start))));
  const span = Math.max(1, t1 - t0);
  const pct = (iso: string) => Math.min(100, Math.max(0, ((Date.parse(iso) - t0) / span) * 100));
  const seats = r.seats
    .map((seat) => {
      const bars = seat.incidents
        .map((i) => `<span title="${esc(i.cue)}" style="left:${pct(i.start).toFixed(2)}%;width:${((i.end ? pct(i.end) : 100) - pct(i.start)).toFixed(2)}%"></span>`)
        .join('');
      const rows = seat.incidents
        .map(
          (i) =>
            `<tr><td>${esc(i.cue)}</td><td>${clock(i.start)}</td><td>${clock(i.end)}</td><td>${esc(i.duration ?? '')}</td><td>${esc(i.score)}</td><td>${snapshotCell(i, pictures.get(i.event))}</td></tr>`,
        )
        .join('\n');
      return `<h2>Seat ${esc(seat.seat)}${seat.candidate ? ` <span class="muted">(candidate ${esc(seat.candidate)})</span>` : ''}</h2>
<div class="bar">${bars}</div>
<table><tr><th>cue</th><th>start</th><th>end</th><th>seconds</th><th>score</th><th>snapshot</th></tr>
${rows}</table>`;
    })
    .join('\n');
  const totals = Object.entries(r.totals.by_cue)
    .map(([cue, n]) => `<tr><td>${esc(cue)}</td><td>${n}</td></tr>`)
    .join('');
  const people = r.recognised.length
    ? `<table><tr><th>name</th><th>first seen</th><th>last seen</th><th>events</th></tr>${r.recognised
        .map((p) => `<tr><td>${esc(p.name)}</td><td>${clock(p.first_seen)}</td><td>${clock(p.last_seen)}</td><td>${p.events}</td></tr>`)
        .join('')}</table>`
    : '<p class="muted">No enrolled face was recognised.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Exam session ${esc(s.name || s.id)}</title><style>${CSS}</style></head>
<body>
<h1>Exam session ${esc(s.name || s.id)}</h1>
<p>Camera <b>${esc(s.camera)}</b>, ${esc(day(s.started_at))} ${esc(clock(s.started_at))} to ${esc(until)} (${esc(timeZone)} time). Session id <code>${esc(s.id)}</code>.</p>
<h2>Totals</h2>
<p>${r.totals.incidents} incident(s) on ${r.seats.length} seat(s).</p>
${totals ? `<table><tr><th>cue</th><th>incidents</th></tr>${totals}</table>` : ''}
<h2>Candidates recognised</h2>
${people}
${seats || '<p class="muted">No incidents.</p>'}
</body></html>
`;
}
