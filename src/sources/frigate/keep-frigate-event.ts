import type { Detection } from '../../events/analyzed-frame.js';
import type { ArgusEvent } from '../../events/event.js';
import { type ColourOf, SnapshotRenderer } from '../../events/snapshot-renderer.js';
import type { SnapshotStore } from '../../events/snapshot-store.js';
import type { EventStore } from '../../store/events.js';
import { loadImage } from '../../vision/image.js';

/**
 * FrigateSource's `keep`: the events Argus makes from Frigate's are kept as a camera's are (the
 * Events page lists them, and HA, Telegram and the people sensors get their picture), the
 * analysed snapshot drawn with the face's box as their picture, written before the row.
 */
export function frigateEventKeeper(deps: { store: EventStore; snapshots: SnapshotStore; colourOf?: ColourOf }) {
  const renderer = new SnapshotRenderer(deps.colourOf);
  return async (event: ArgusEvent, jpeg: Buffer | undefined): Promise<ArgusEvent> => {
    let kept = event;
    if (jpeg) {
      const image = await loadImage(jpeg);
      const face: Detection = { kind: event.kind, label: event.label, score: event.score, box: event.box, sub_label: event.sub_label };
      await deps.snapshots.save(event.id, await renderer.render(image, [face], event.box));
      kept = { ...event, snapshot: `events/${event.id}/snapshot.jpg` };
    }
    deps.store.save(kept);
    return kept;
  };
}
