import type { SessionReport } from './report.js';

/** A report with more incidents than this keeps the rest as links: the page must stay one file to mail. */
export const MAX_PICTURES = 200;

/**
 * Each incident's picture (its seat's clean crop, a few kB), for a report kept as one file: its
 * snapshot links need the running Argus and expire after `server.snapshot_url_ttl`.
 */
export async function reportPictures(r: SessionReport, load: (eventId: string) => Promise<Buffer | undefined>): Promise<Map<string, Buffer>> {
  const ids = r.seats.flatMap((s) => s.incidents.filter((i) => i.snapshot).map((i) => i.event)).slice(0, MAX_PICTURES);
  const pictures = new Map<string, Buffer>();
  for (const id of ids) {
    const jpeg = await load(id);
    if (jpeg) pictures.set(id, jpeg);
  }
  return pictures;
}
