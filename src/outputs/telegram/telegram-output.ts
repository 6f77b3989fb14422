import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Bot, GrammyError, InputFile, webhookCallback } from 'grammy';
import type { EventBus } from '../../bus.js';
import { redactSecrets } from '../../config/redact.js';
import type { ArgusEvent } from '../../events/event.js';
import type { Logger } from '../../log.js';
import type { Db } from '../../store/database.js';
import { TelegramOutbox, type OutboxItem } from '../../store/outbox.js';
import { TelegramState } from '../../store/telegram-state.js';
import { AlertRouter } from './alert-router.js';
import type { BotDeps } from './bot-deps.js';
import { callbacks } from './callbacks.js';
import { chatGuard } from './chat-guard.js';
import { COMMANDS, commands } from './commands.js';
import { hint } from './delivery-error.js';
import type { TelegramConfig } from './config.js';
import type { EventKinds } from '../../analyzers/kinds.js';
import { abortableSleep, OutboxSender, type Sleep } from './outbox-sender.js';
import { autoRetry } from '@grammyjs/auto-retry';
import type { SnapshotUrl } from '../../server/snapshot-links.js';

const STOP_GRACE_MS = 3000;

export interface TelegramOutputOptions extends Omit<BotDeps, 'chats' | 'state' | 'clock' | 'logger'> {
  config: TelegramConfig;
  /** The analyzers' event kinds: alert kinds, urgency, headlines. */
  kinds: EventKinds;
  db: Db;
  bus: EventBus;
  logger: Logger;
  /** The event's annotated snapshot (JPEG), or undefined when there is none yet. */
  loadSnapshot(event: ArgusEvent): Promise<Buffer | undefined>;
  /** The events linked to a person event (its face, its pose), whose alerts cover the person's. */
  linkedTo?: (personEventId: string) => readonly string[];
  /** Home Assistant's alert gate: false holds back all but urgent (weapon) alerts. */
  alertGate?: () => boolean;
  /** Signed snapshot links (`server.public_url`); a caption shows the full-size picture's link when there is one. */
  snapshotUrl?: SnapshotUrl;
  clock?: () => number;
  /** How the outbox waits between retries (tests pass a simulated clock). */
  sleep?: Sleep;
  /** Long-polling timeout in seconds (getUpdates); tests shorten it. */
  pollTimeout?: number;
}

/**
 * Telegram alerts and commands. Alerts go through the SQLite outbox (written before sending,
 * removed after Telegram confirms); commands and buttons are answered over long polling, or
 * over a webhook that the web server mounts with `webhookHandler()`.
 */
export class TelegramOutput {
  private bot?: Bot;
  private router?: AlertRouter;
  private sender?: OutboxSender;
  private polling?: Promise<void>;
  private webhook?: { bot: Bot; handle: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> };
  private secret?: string;
  private running = false;
  private stopping = new AbortController();
  private readonly clock: () => number;
  private readonly log: Logger;

  constructor(private readonly opts: TelegramOutputOptions) {
    this.clock = opts.clock ?? Date.now;
    this.log = opts.logger;
  }

  async start(): Promise<void> {
    const { config, db } = this.opts;
    if (!config.enabled) {
      this.log.info('Telegram is turned off (telegram.enabled: false)');
      return;
    }
    this.running = true;
    this.stopping = new AbortController();
    const bot = new Bot(config.token, { client: { apiRoot: config.api_root, timeoutSeconds: 60 } });
    this.bot = bot;
    await this.checkNames();
    const state = new TelegramState(db);
    const outbox = new TelegramOutbox(db, config.outbox_limit, this.clock);
    const deps: BotDeps = { ...this.opts, chats: config.chats, state, clock: this.clock, logger: this.log };
    // A reply to a command, or a button's answer, waits out a 429 and goes: it was lost. Only this
    // update's Api (grammy gives each update a copy): the outbox's sends wait out 429 themselves.
    bot.use((ctx, next) => {
      ctx.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
      return next();
    });
    bot.use(chatGuard(deps), commands(deps), callbacks(deps));
    bot.catch((err) => this.log.error(`Telegram update ${err.ctx.update.update_id} failed: ${this.describe(err.error)}`));

    this.sender = new OutboxSender({
      outbox,
      send: (item, signal) => this.deliver(item, signal),
      chatName: (id) => this.chatName(id),
      retry: { minMs: config.retry.min_seconds * 1000, maxMs: config.retry.max_seconds * 1000 },
      logger: this.log,
      redact: (text) => this.describe(text),
      sleep: this.opts.sleep,
      stillWanted: (item) => state.armed() && state.mutedUntil(item.camera, this.clock()) === null,
    });
    this.router = new AlertRouter({
      chats: config.chats,
      kinds: this.opts.kinds,
      state,
      outbox,
      onQueued: () => this.sender?.kick(),
      loadSnapshot: this.opts.loadSnapshot,
      linkedTo: this.opts.linkedTo,
      alertGate: this.opts.alertGate,
      snapshotUrl: this.opts.snapshotUrl,
      windowMs: config.group_window * 1000,
      cooldownMs: config.cooldown * 1000,
      clock: this.clock,
      logger: this.log,
    });
    const waiting = outbox.count();
    if (waiting) this.log.info(`Telegram outbox holds ${waiting} alert(s) from before; sending them first`);
    this.sender.start();
    this.opts.bus.on(this, 'event', (msg) => this.router?.handle(msg));
    this.polling = this.connect(bot);
  }

  /**
   * The web server's `POST /api/telegram/webhook` handler (webhook mode). It may be mounted
   * before start(); until then it answers 503. Telegram's secret header is checked.
   */
  webhookHandler(): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown> {
    return async (request, reply) => {
      const bot = this.bot;
      if (this.opts.config.mode !== 'webhook') {
        return reply.code(404).send({ error: 'the Telegram bot polls for its updates (telegram.mode: polling): it has no webhook', code: 'not_found' });
      }
      if (!bot || !this.running) return reply.code(503).send({ error: 'Telegram is not running', code: 'telegram_stopped' });
      // The route needs no access token (Telegram keeps the webhook's URL): this secret is the credential.
      const given = Buffer.from(String(request.headers['x-telegram-bot-api-secret-token'] ?? ''));
      const secret = Buffer.from(this.webhookSecret());
      if (given.length !== secret.length || !timingSafeEqual(given, secret)) return reply.code(401).send({ error: 'secret token is wrong', code: 'unauthorized' });
      if (this.webhook?.bot !== bot) this.webhook = { bot, handle: webhookCallback(bot, 'fastify', { secretToken: this.webhookSecret() }) };
      return this.webhook.handle(request, reply);
    };
  }

  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    this.opts.bus.removeAll(this);
    await this.router?.flush();
    // Side by side, each within the grace: the events still to end (and reach MQTT) stop after this,
    // inside Argus' 10 s, even when Telegram hangs.
    // Polling's last getUpdates (and a start-up call still out) must not hold shutdown when Telegram hangs.
    const polling = Promise.all([this.bot?.isRunning() ? this.bot.stop().catch(() => undefined) : undefined, this.polling]);
    await Promise.all([this.sender?.stop(STOP_GRACE_MS), Promise.race([polling, new Promise((r) => setTimeout(r, STOP_GRACE_MS).unref())])]);
  }

  /** A chat that waits for a name nobody is enrolled under would wait for ever, silently: said at start. */
  private async checkNames(): Promise<void> {
    const wanted = this.opts.config.chats.flatMap((chat) => chat.names.map((name) => ({ chat, name })));
    if (wanted.length === 0) return;
    const people = new Set((await this.opts.listPeople()).map((p) => p.name.toLowerCase()));
    for (const { chat, name } of wanted) {
      if (people.has(name.toLowerCase())) continue;
      this.log.warn(
        `telegram.chats: ${chat.name ?? chat.id} waits for "${name}", who is not enrolled in the face registry: enrol them, or fix the name (renamed on the People page?)`,
      );
    }
  }

  /** Registers the commands and starts polling (or sets the webhook), retrying while Telegram is away. */
  private async connect(bot: Bot): Promise<void> {
    const { config } = this.opts;
    const shortest = config.retry.min_seconds * 1000;
    let backoff = shortest;
    while (this.running) {
      try {
        // once polling starts, a later 409 or 401 retries from the shortest wait again, not where the last incident left off
        await this.listen(bot, () => (backoff = shortest));
        return;
      } catch (err) {
        if (!this.running) return;
        this.log.warn(`Telegram commands unavailable (${this.describe(err)}); retrying in ${Math.round(backoff / 1000)} s`);
        await abortableSleep(backoff, this.stopping.signal);
        backoff = Math.min(backoff * 2, config.retry.max_seconds * 1000);
      }
    }
  }

  /** One try: the commands, then the webhook, or polling until the bot stops (or polling fails). */
  private async listen(bot: Bot, onStarted: () => void): Promise<void> {
    const { config } = this.opts;
    await bot.api.setMyCommands(COMMANDS);
    // stop() may have come while that call was out; bot.start() below must not outlive it.
    if (!this.running) return;
    if (config.mode === 'webhook') {
      if (/[?&]token=/.test(config.webhook_url ?? ''))
        this.log.warn(
          "telegram.webhook_url carries Argus' access token, which Telegram keeps and shows to anyone holding the bot token: the webhook needs none, remove ?token=… from it",
        );
      await bot.init();
      await bot.api.setWebhook(config.webhook_url!, { secret_token: this.webhookSecret() });
      this.log.info(`Telegram bot @${bot.botInfo.username} receives updates at its webhook`);
      return;
    }
    await bot.start({
      timeout: this.opts.pollTimeout ?? 30,
      onStart: (me) => {
        onStarted();
        this.log.info(`Telegram bot @${me.username} is polling for commands`);
      },
    });
  }

  private async deliver(item: OutboxItem, signal: AbortSignal): Promise<void> {
    const chat = this.opts.config.chats.find((c) => c.id === item.chatId);
    if (!chat) {
      this.log.warn(`an alert for chat ${item.chatId} was skipped: that chat is no longer in telegram.chats`);
      return;
    }
    const other = { reply_markup: { inline_keyboard: item.buttons } };
    // grammy types its signal as the abort-controller polyfill's; Node's own works the same.
    const abort = signal as Parameters<Bot['api']['sendMessage']>[3];
    if (item.photo) {
      await this.bot!.api.sendPhoto(item.chatId, new InputFile(item.photo, `${item.camera}.jpg`), { ...other, caption: item.caption }, abort);
    } else {
      await this.bot!.api.sendMessage(item.chatId, item.caption, other, abort);
    }
  }

  private chatName(id: number): string {
    const name = this.opts.config.chats.find((c) => c.id === id)?.name;
    return name ? `chat ${id} (${name})` : `chat ${id}`;
  }

  /** Telegram's secret_token allows [A-Za-z0-9_-]: random, kept in SQLite so it stays the same across restarts. */
  private webhookSecret(): string {
    this.secret ??= new TelegramState(this.opts.db).webhookSecret();
    return this.secret;
  }

  /** An error as text, with the bot token (which sits in Bot API URLs) removed. */
  private describe(err: unknown): string {
    const text = err instanceof GrammyError ? `${err.message}${hint(err.error_code)}` : err instanceof Error ? err.message : String(err);
    return redactSecrets(text, [this.opts.config.token]);
  }
}
