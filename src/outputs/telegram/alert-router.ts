import type { ArgusEvent, EventMessage } from '../../events/event.js';
import type { Logger } from '../../log.js';
import type { OutboxDraft, TelegramOutbox } from '../../store/outbox.js';
import type { TelegramState } from '../../store/telegram-state.js';
import { AlertBatcher } from './alert-batcher.js';
import { alertButtons } from './buttons.js';
import { renderCaption } from './caption.js';
import { chatsWanting } from './chat-routing.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import type { TelegramChatConfig } from './config.js';
import type { SnapshotUrl } from '../../server/snapshot-links.js';

/** How many (event, chat) pairs are remembered so one event alerts a chat only once. */
const REMEMBERED = 5000;

export interface AlertRouterOptions {
  chats: TelegramChatConfig[];
  kinds: EventKinds;
  state: TelegramState;
  outbox: TelegramOutbox;
  /** The outbox has new alerts. */
  onQueued(): void;
  loadSnapshot(event: ArgusEvent): Promise<Buffer | undefined>;
  /** Home Assistant's alert gate: false holds back all but urgent (weapon) alerts. */
  alertGate?: () => boolean;
  /** Signed links to an event's snapshot, for the caption. */
  snapshotUrl?: SnapshotUrl;
  /**
   * The events linked to a person event (its face, its pose): an alert for one of them covers the
   * person's, so a visitor is one push ("Unknown face"), not two ("Person", "Unknown face").
   */
  linkedTo?: (personEventId: string) => readonly string[];
  windowMs: number;
  cooldownMs: number;
  clock: () => number;
  logger: Logger;
}

interface Wanted {
  event: ArgusEvent;
  chatIds: number[];
}

/**
 * Decides which chats hear about an event and writes their alerts to the outbox: weapons at
 * once, one by one; everything else gathered per camera and kind so a burst is one message.
 * A person whose face (or pose) alerts the chat in the meantime is left to that alert.
 */
export class AlertRouter {
  private readonly alerted = new Set<string>();
  private readonly batcher: AlertBatcher<Wanted>;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly opts: AlertRouterOptions) {
    this.batcher = new AlertBatcher<Wanted>({
      windowMs: opts.windowMs,
      cooldownMs: opts.cooldownMs,
      clock: opts.clock,
      lastFlush: (key) => opts.state.lastAlert(key),
      flushed: (key, at) => opts.state.setLastAlert(key, at),
      flush: (_key, items) => this.track(this.queueBurst(items)),
    });
  }

  handle(msg: EventMessage): void {
    if (msg.type === 'end') return;
    const { event } = msg;
    const now = this.opts.clock();
    if (!this.opts.state.armed()) return;
    if (this.opts.state.mutedUntil(event.camera, now) !== null) return;
    const urgent = this.opts.kinds.urgent(event);
    // A weapon matters even when HA's gate says nobody wants routine alerts right now.
    if (!urgent && this.opts.alertGate && !this.opts.alertGate()) return;
    const chatIds = chatsWanting(this.opts.chats, event, new Date(now), this.opts.kinds)
      .map((c) => c.id)
      .filter((id) => !this.alerted.has(`${event.id}:${id}`));
    if (chatIds.length === 0) return;
    for (const id of chatIds) this.remember(`${event.id}:${id}`);
    if (urgent) this.track(this.queue([event], chatIds));
    else {
      const alert = this.opts.kinds.alertOf(event);
      this.batcher.add(`${event.camera}:${alert?.name}`, { event, chatIds }, alert?.cooldown !== undefined ? alert.cooldown * 1000 : this.opts.cooldownMs);
    }
  }

  /** Writes out what is still gathering and waits until it is in the outbox. */
  async flush(): Promise<void> {
    this.batcher.flushAll();
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  private async queueBurst(all: Wanted[]): Promise<void> {
    // Held back by the cooldown: a /disarm or /mute since then counts.
    const now = this.opts.clock();
    const items = this.opts.state.armed() ? all.filter(({ event }) => this.opts.state.mutedUntil(event.camera, now) === null) : [];
    const byChat = new Map<number, ArgusEvent[]>();
    for (const { event, chatIds } of items) {
      const linked = this.opts.linkedTo?.(event.id) ?? [];
      for (const id of chatIds) {
        // Covered by an alert to this chat about the same visit: it shows who, and the face.
        if (linked.some((other) => this.alerted.has(`${other}:${id}`))) continue;
        byChat.set(id, [...(byChat.get(id) ?? []), event]);
      }
    }
    // Chats that want the same events get the same message.
    const byEvents = new Map<string, { events: ArgusEvent[]; chatIds: number[] }>();
    for (const [chatId, events] of byChat) {
      const key = events.map((e) => e.id).join(',');
      const group = byEvents.get(key) ?? { events, chatIds: [] };
      group.chatIds.push(chatId);
      byEvents.set(key, group);
    }
    for (const { events, chatIds } of byEvents.values()) await this.queue(events, chatIds);
  }

  private async queue(events: ArgusEvent[], chatIds: number[]): Promise<void> {
    const best = events.reduce((a, b) => (b.top_score > a.top_score ? b : a));
    let photo: Buffer | null = null;
    try {
      photo = (await this.opts.loadSnapshot(best)) ?? null;
    } catch (err) {
      this.opts.logger.warn(`no snapshot for event ${best.id} (${err instanceof Error ? err.message : String(err)}); sending the alert as text`);
    }
    const caption = renderCaption(events, this.opts.kinds, this.opts.snapshotUrl, this.opts.clock());
    const buttons = alertButtons(best, this.opts.kinds.alertOf(best));
    const drafts: OutboxDraft[] = chatIds.map((chatId) => ({
      chatId,
      // The outbox's column predates the analyzer list: it means urgent (dropped last).
      weapon: this.opts.kinds.urgent(best),
      eventId: best.id,
      camera: best.camera,
      caption,
      photo,
      buttons,
    }));
    const dropped = this.opts.outbox.add(drafts);
    for (const d of dropped) {
      this.opts.logger.warn(
        `Telegram outbox full (${this.opts.outbox.count()} alerts waiting): dropped the oldest ${d.weapon ? 'urgent ' : ''}alert ` +
          `for chat ${d.chatId} from ${d.camera} at ${new Date(d.createdAt).toISOString()}`,
      );
    }
    this.opts.onQueued();
  }

  private track(p: Promise<void>): void {
    const tracked = p
      .catch((err) => this.opts.logger.error(`could not queue a Telegram alert: ${err instanceof Error ? err.message : String(err)}`))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  private remember(key: string): void {
    this.alerted.add(key);
    if (this.alerted.size > REMEMBERED) this.alerted.delete(this.alerted.values().next().value!);
  }
}
