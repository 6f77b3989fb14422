import type { AlertSpec } from '../../analyzers/analyzer.js';
import type { ArgusEvent } from '../../events/event.js';

/** Telegram allows at most 64 bytes of callback data per button. */
const MAX_CALLBACK_BYTES = 64;

export type ButtonAction = { kind: 'snap' | 'mute' | 'unmute'; camera: string } | { kind: 'enrol'; eventId: string };

export function encodeAction(a: ButtonAction): string {
  return a.kind === 'enrol' ? `enrol:${a.eventId}` : `${a.kind}:${a.camera}`;
}

export function decodeAction(data: string): ButtonAction | undefined {
  const [kind, ...rest] = data.split(':');
  const arg = rest.join(':');
  if (!arg) return undefined;
  if (kind === 'snap' || kind === 'mute' || kind === 'unmute') return { kind, camera: arg };
  if (kind === 'enrol') return { kind, eventId: arg };
  return undefined;
}

export type Button = { text: string; callback_data: string };

export function button(text: string, action: ButtonAction): Button[] {
  const data = encodeAction(action);
  return Buffer.byteLength(data) <= MAX_CALLBACK_BYTES ? [{ text, callback_data: data }] : [];
}

/** The inline keyboard under an alert: snapshot now, mute 1 h, and where the alert kind offers it (an unknown face) "Add to faces…". */
export function alertButtons(event: ArgusEvent, alert: AlertSpec | undefined): Button[][] {
  const rows = [[...button('📷 Snapshot now', { kind: 'snap', camera: event.camera }), ...button('🔕 Mute this camera 1 h', { kind: 'mute', camera: event.camera })]];
  if (alert?.enrol) {
    const enrol = button('➕ Add to faces…', { kind: 'enrol', eventId: event.id });
    if (enrol.length) rows.push(enrol);
  }
  return rows;
}
