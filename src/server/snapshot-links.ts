import type { ArgusEvent } from '../events/event.js';
import type { SignedFile, SnapshotSigner } from './snapshot-signer.js';

/** A signed link to an event's picture, or null when the event has none. */
export type SnapshotUrl = (event: Pick<ArgusEvent, 'id' | 'snapshot'>, file?: SignedFile) => string | null;

export interface SnapshotLinksOptions {
  signer: SnapshotSigner;
  /** How long a link opens its picture. */
  ttlSeconds: number;
  /** `server.public_url`: where a phone or HA reaches Argus (e.g. http://192.168.1.5:8100). */
  publicUrl?: string;
}

/**
 * The links Argus hands to HA, MQTT and Telegram: `<public_url>/api/events/<id>/snapshot.jpg?exp=…&sig=…`.
 * They never carry the access token. Without a public URL they stay relative to the API root
 * (`events/<id>/snapshot.jpg?…`), as `snapshot` is, since Argus cannot guess its own address.
 */
export function snapshotLinks({ signer, ttlSeconds, publicUrl }: SnapshotLinksOptions): SnapshotUrl {
  const base = publicUrl ? `${publicUrl.replace(/\/+$/, '')}/api/` : '';
  return (event, file = 'snapshot.jpg') => {
    if (!event.snapshot) return null;
    return `${base}events/${encodeURIComponent(event.id)}/${file}?${signer.query(event.id, file, ttlSeconds)}`;
  };
}
