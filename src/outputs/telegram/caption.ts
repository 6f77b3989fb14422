import type { ArgusEvent } from '../../events/event.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import type { SnapshotUrl } from '../../server/snapshot-links.js';

const MAX_CAPTION = 1024;
/** Keeps a burst's list of names from pushing the link out of the caption. */
const MAX_WHO = 300;

/** "grandma, 2 unknown people" — who the events are about. */
function who(events: ArgusEvent[]): string {
  const names = [...new Set(events.map((e) => e.sub_label).filter((n): n is string => !!n))];
  const unknown = events.filter((e) => !e.sub_label).length;
  const parts = [...names];
  if (unknown === 1) parts.push('unknown person');
  else if (unknown > 1) parts.push(`${unknown} unknown people`);
  return parts.join(', ');
}

/**
 * ", started 13 min ago" for an event that began well before its message (still open when quiet
 * hours ended, or a batch held back): its start time alone read as a stale alert.
 */
function startedAgo(start: number, now: number): string {
  const minutes = Math.floor((now / 1000 - start) / 60);
  if (minutes < 2) return '';
  return minutes < 120 ? `, started ${minutes} min ago` : `, started ${Math.floor(minutes / 60)} h ago`;
}

/** Local wall time of the event, e.g. "2026-11-23 14:03:12". */
function localTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleString('sv-SE');
}

/**
 * The photo caption for one alert (or a burst of alerts of the same kind on one camera):
 * what, who, camera and zones, best score, local time and a signed link to the full-size
 * snapshot (opens without the access token until it expires; docs/api.md).
 */
export function renderCaption(events: ArgusEvent[], kinds: EventKinds, snapshotUrl?: SnapshotUrl, now = Date.now()): string {
  const best = events.reduce((a, b) => (b.top_score > a.top_score ? b : a));
  const alert = kinds.alertOf(best);
  const zones = [...new Set(events.flatMap((e) => e.zones))];
  const people = alert?.who ? alert.who(events) : who(events);
  const lines = [
    `${alert?.icon ?? '•'} ${alert?.headline(events) ?? best.label} at ${best.camera}`,
    ...(people === null ? [] : [`Who: ${people.length <= MAX_WHO ? people : `${people.slice(0, MAX_WHO - 1)}…`}`]),
    `Camera: ${best.camera}${zones.length ? ` · zone: ${zones.join(', ')}` : ''}`,
    `Score: ${Math.round(best.top_score * 100)}% · ${localTime(best.start_time)}${startedAgo(best.start_time, now)}`,
  ];
  // Only an absolute link is any use in a chat; without server.public_url there is none.
  const link = snapshotUrl?.(best);
  if (link && /^https?:\/\//.test(link)) lines.push(`🖼 ${link}`);
  const text = lines.join('\n');
  // Telegram refuses photo captions over 1024 characters; a long list of names must not cost the alert.
  return text.length <= MAX_CAPTION ? text : `${text.slice(0, MAX_CAPTION - 1)}…`;
}
