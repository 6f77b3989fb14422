import type { Logger } from '../../log.js';
import type { OutboxItem, TelegramOutbox } from '../../store/outbox.js';
import { classifyDeliveryError } from './delivery-error.js';

/** Waits `ms`, or less when `signal` aborts. Injected so tests can simulate hours in seconds. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface OutboxSenderOptions {
  outbox: TelegramOutbox;
  /** Sends one alert; resolves once Telegram confirmed it. `signal` aborts it on stop(). */
  send(item: OutboxItem, signal: AbortSignal): Promise<void>;
  /** Names a chat in log lines. */
  chatName(chatId: number): string;
  retry: { minMs: number; maxMs: number };
  logger: Logger;
  /** Scrubs secrets (the bot token) from error text before it is logged. */
  redact(text: string): string;
  sleep?: Sleep;
  /**
   * Whether an alert is still wanted as it is about to leave (not disarmed, its camera not muted):
   * one written before a /disarm, or held through an outage, is dropped instead of sent.
   */
  stillWanted?(item: OutboxItem): boolean;
}

/**
 * Drains the outbox, oldest first, one alert at a time, so alerts arrive in the order they were
 * written. An alert leaves the outbox only after Telegram confirmed it, or when Telegram said it
 * can never be delivered to that chat.
 */
export class OutboxSender {
  /** Ends waits at once on stop(). */
  private abort?: AbortController;
  /** Cuts an in-flight send, only after a grace period: a cut send may be a duplicate next time. */
  private cut?: AbortController;
  private wake?: () => void;
  private loop?: Promise<void>;
  private readonly sleep: Sleep;

  constructor(private readonly opts: OutboxSenderOptions) {
    this.sleep = opts.sleep ?? abortableSleep;
  }

  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    this.cut = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Something new was written to the outbox. */
  kick(): void {
    this.wake?.();
  }

  async stop(graceMs = 5000): Promise<void> {
    this.abort?.abort();
    this.wake?.();
    const grace = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    await Promise.race([this.loop, grace]);
    this.cut?.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { outbox, logger } = this.opts;
    let backoff = this.opts.retry.minMs;
    let failing = false;
    while (!signal.aborted) {
      const item = outbox.peek();
      if (!item) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      if (this.opts.stillWanted && !this.opts.stillWanted(item)) {
        outbox.remove(item.id);
        logger.debug(`an alert for ${this.opts.chatName(item.chatId)} was left unsent: alerts are disarmed or ${item.camera} is muted`);
        continue;
      }
      try {
        await this.opts.send(item, this.cut!.signal);
        outbox.markSent(item.id);
        if (failing) logger.info(`Telegram takes alerts again; ${outbox.count()} still waiting`);
        failing = false;
        backoff = this.opts.retry.minMs;
      } catch (err) {
        if (this.cut!.signal.aborted) break;
        // stopped while it was being sent: it stays in the outbox for the next start
        if (signal.aborted) break;
        const verdict = classifyDeliveryError(err);
        verdict.reason = this.opts.redact(verdict.reason);
        const who = this.opts.chatName(item.chatId);
        if (verdict.action === 'drop') {
          logger.error(
            `Telegram refused an alert for ${who} (${verdict.reason}); it was dropped. ` +
              'Check that the chat id is right and that the bot was not blocked or removed from the chat.',
          );
          outbox.remove(item.id);
          continue;
        }
        outbox.recordAttempt(item.id);
        if (verdict.action === 'wait') {
          logger.warn(`Telegram asked to slow down (${verdict.reason}); waiting ${verdict.ms / 1000} s`);
          await this.sleep(verdict.ms, signal);
          continue;
        }
        if (!failing) {
          logger.warn(`Telegram is not taking alerts (${verdict.reason}); they wait in the outbox and are retried with backoff`);
        }
        failing = true;
        // A new alert (a weapon, say) tries again at once, not after up to max_seconds of backoff.
        const nudge = new AbortController();
        this.wake = () => nudge.abort();
        await this.sleep(backoff, AbortSignal.any([signal, nudge.signal]));
        this.wake = undefined;
        backoff = Math.min(backoff * 2, this.opts.retry.maxMs);
      }
    }
  }
}

/** A real wait that ends early when `signal` aborts, or at once when it already has. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  // An aborted signal fires no more 'abort' events: a send failing after stop() slept out its whole backoff.
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
