import type { ArgusEvent } from '../../events/event.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import type { QuietHours, TelegramChatConfig } from './config.js';

/** Whether local time `at` falls in the quiet hours; a window like 22:00-07:00 spans midnight. */
export function inQuietHours(q: QuietHours, at: Date): boolean {
  const minutes = at.getHours() * 60 + at.getMinutes();
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  if (start === end) return false;
  return start < end ? minutes >= start && minutes < end : minutes >= start || minutes < end;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

/**
 * The chats that want this event: its camera, its alert kind, the named person (when a chat only
 * wants some names) and, except for urgent kinds (weapons), outside the chat's quiet hours.
 */
export function chatsWanting(chats: TelegramChatConfig[], event: ArgusEvent, now: Date, kinds: EventKinds): TelegramChatConfig[] {
  const alert = kinds.alertOf(event);
  if (!alert) return [];
  return chats.filter((chat) => {
    if (chat.cameras.length > 0 && !chat.cameras.includes(event.camera)) return false;
    if (chat.kinds && !chat.kinds.includes(alert.name) && !(alert.within && chat.kinds.includes(alert.within))) return false;
    // as the registry holds names: one person whatever the case ("Grandma" is "grandma")
    const name = event.sub_label?.toLowerCase();
    if (chat.names.length > 0 && !(name && chat.names.some((n) => n.toLowerCase() === name))) return false;
    if (!kinds.urgent(event) && chat.quiet_hours && inQuietHours(chat.quiet_hours, now)) return false;
    return true;
  });
}

/** Whether a chat may see this camera (its snapshot, its status). */
export function chatSeesCamera(chat: TelegramChatConfig, camera: string): boolean {
  return chat.cameras.length === 0 || chat.cameras.includes(camera);
}
