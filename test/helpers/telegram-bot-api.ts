// Over 300 lines on purpose: one stand-in for the whole Bot API surface Argus uses (updates,
// uploads, failures on demand), so every Telegram test talks to the same protocol.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** One Bot API request as the stand-in received it (failed ones included). */
export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
  /** Uploaded files by the name the params refer to (`attach://<name>`), resolved for `photo`. */
  photo?: Buffer;
  /** HTTP status answered; 0 while hanging (never answered). */
  status: number;
  /** What a successful call returned (the sent Message for sendPhoto / sendMessage). */
  result?: unknown;
}

/** How the stand-in answers a method for a while. */
export type Failure = { status: number; description: string; retryAfter?: number } | 'hang';

interface Waiter {
  offset: number;
  res: ServerResponse;
  timer: NodeJS.Timeout;
}

const BOT = { id: 4242, is_bot: true, first_name: 'Argus', username: 'argus_test_bot', can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };

/**
 * A local server that speaks the Telegram Bot API over HTTP (JSON, urlencoded and multipart
 * bodies, `attach://` uploads), reached through grammy's `apiRoot`. It records every call,
 * can fail methods on demand (429 with retry_after, 5xx, 403 for one chat, or never answer),
 * can go down and come back on the same port, and delivers updates through long polling.
 */
export class TelegramBotApiStandIn {
  readonly calls: BotApiCall[] = [];
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private updates: Array<Record<string, unknown> & { update_id: number }> = [];
  private nextUpdateId = 1;
  private nextMessageId = 100;
  private waiters: Waiter[] = [];
  private readonly failures = new Map<string, Failure[]>();
  private readonly sticky = new Map<string, Failure>();
  private readonly blockedChats = new Map<number, string>();
  private readonly listeners = new Set<() => void>();
  private port = 0;

  constructor(readonly token = '123456:TEST-token-for-the-stand-in') {}

  /** The id of the newest update handed to the bot so far. */
  get lastUpdateId(): number {
    return this.nextUpdateId - 1;
  }

  /** Resolves once the bot asked for updates past `updateId`, i.e. it has handled everything up to it. */
  handled(updateId = this.lastUpdateId): Promise<unknown> {
    return this.waitFor(`the bot to handle update ${updateId}`, () => this.calls.some((c) => c.method === 'getUpdates' && Number(c.params.offset ?? 0) > updateId));
  }

  get running(): boolean {
    return this.server !== undefined;
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<string> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as { port: number }).port;
    return this.apiRoot;
  }

  /** Goes down hard: open requests (hanging ones included) are cut. `start()` brings it back on the same port. */
  async stop(): Promise<void> {
    for (const w of this.waiters) clearTimeout(w.timer);
    this.waiters = [];
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** The next `count` calls of `method` fail this way. */
  failNext(method: string, failure: Failure, count = 1): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...Array<Failure>(count).fill(failure)]);
  }

  /** Every call of `method` fails this way until `clear()` (or `undefined`). */
  failAlways(method: string, failure: Failure | undefined): void {
    if (failure) this.sticky.set(method, failure);
    else this.sticky.delete(method);
  }

  /** Sends to this chat answer 403 (as when a user blocked the bot). */
  blockChat(chatId: number, description = 'Forbidden: bot was blocked by the user'): void {
    this.blockedChats.set(chatId, description);
  }

  /** Successful calls of a method, in order. */
  sent(method: string, chatId?: number): BotApiCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200 && (chatId === undefined || Number(c.params.chat_id) === chatId));
  }

  /** A user writes in a chat; delivered to the bot's next getUpdates. Returns the message. */
  userMessage(chatId: number, text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    const message = {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'private', first_name: 'User' },
      from: { id: chatId, is_bot: false, first_name: 'User' },
      text,
      ...(text.startsWith('/') ? { entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0].length }] } : {}),
      ...extra,
    };
    this.push({ message });
    return message;
  }

  /** A user presses an inline button under a message the bot sent. */
  pressButton(chatId: number, message: Record<string, unknown>, data: string): void {
    this.push({
      callback_query: { id: String(this.nextUpdateId), from: { id: chatId, is_bot: false, first_name: 'User' }, chat_instance: 'x', message, data },
    });
  }

  /** Resolves when `check` holds, re-checked after every call; rejects after `timeoutMs`. */
  async waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const first = check();
    if (first) return first;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`timed out waiting for ${what}; calls: ${this.calls.map((c) => `${c.method}:${c.status}`).join(' ')}`));
      }, timeoutMs);
      const listener = () => {
        const v = check();
        if (!v) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(v);
      };
      this.listeners.add(listener);
    });
  }

  private push(update: Record<string, unknown>): void {
    this.updates.push({ update_id: this.nextUpdateId++, ...update });
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      this.answerUpdates(w.res, w.offset);
    }
  }

  private record(call: BotApiCall): void {
    this.calls.push(call);
    for (const l of [...this.listeners]) l();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
    if (!match) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match;
    const { params, files } = await readParams(req);
    if (token !== this.token) return reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
    const photoRef = typeof params.photo === 'string' && params.photo.startsWith('attach://') ? params.photo.slice(9) : undefined;
    const call: BotApiCall = { method, params, photo: photoRef ? files[photoRef] : undefined, status: 0 };

    const failure = this.failures.get(method)?.shift() ?? this.sticky.get(method);
    const blocked = this.blockedChats.get(Number(params.chat_id));
    if (failure === 'hang') return this.record(call);
    if (failure || blocked) {
      const f = failure ?? { status: 403, description: blocked! };
      call.status = f.status;
      this.record(call);
      const body: Record<string, unknown> = { ok: false, error_code: f.status, description: f.description };
      if (f.retryAfter !== undefined) body.parameters = { retry_after: f.retryAfter };
      return reply(res, f.status, body);
    }
    if (method === 'getUpdates') return this.getUpdates(res, params);

    call.status = 200;
    const result = this.result(method, params, call.photo);
    call.result = result;
    if (result === undefined) call.status = 404;
    this.record(call);
    if (result === undefined) return reply(res, 404, { ok: false, error_code: 404, description: 'Not Found: method not found' });
    reply(res, 200, { ok: true, result });
  }

  private result(method: string, p: Record<string, unknown>, photo: Buffer | undefined): unknown {
    const chat = { id: Number(p.chat_id), type: 'private', first_name: 'User' };
    const message = (extra: Record<string, unknown>) => ({
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: BOT,
      ...(p.reply_markup ? { reply_markup: p.reply_markup } : {}),
      ...extra,
    });
    switch (method) {
      case 'getMe':
        return BOT;
      case 'deleteWebhook':
      case 'setWebhook':
      case 'setMyCommands':
      case 'answerCallbackQuery':
        return true;
      case 'sendMessage':
        return message({ text: p.text });
      case 'sendPhoto':
        return message({ caption: p.caption, photo: [{ file_id: `photo${this.nextMessageId}`, file_unique_id: 'u', width: 1, height: 1, file_size: photo?.length ?? 0 }] });
      case 'editMessageReplyMarkup':
        return message({ message_id: Number(p.message_id) });
      default:
        return undefined;
    }
  }

  private getUpdates(res: ServerResponse, p: Record<string, unknown>): void {
    const offset = Number(p.offset ?? 0);
    this.record({ method: 'getUpdates', params: p, status: 200 });
    this.updates = this.updates.filter((u) => u.update_id >= offset);
    const timeout = Number(p.timeout ?? 0);
    if (this.updates.length || timeout <= 0) {
      this.answerUpdates(res, offset);
      return;
    }
    const waiter: Waiter = { offset, res, timer: setTimeout(() => this.answerUpdates(res, offset), timeout * 1000) };
    this.waiters.push(waiter);
    res.on('close', () => {
      clearTimeout(waiter.timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
    });
  }

  private answerUpdates(res: ServerResponse, offset: number): void {
    this.waiters = this.waiters.filter((w) => w.res !== res);
    if (!res.writableEnded) reply(res, 200, { ok: true, result: this.updates.filter((u) => u.update_id >= offset) });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.writableEnded || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Reads a Bot API request body the three ways Telegram accepts it; object fields arrive as JSON text in forms. */
async function readParams(req: IncomingMessage): Promise<{ params: Record<string, unknown>; files: Record<string, Buffer> }> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://x').searchParams);
  if (type.startsWith('application/json')) return { params: { ...query, ...(body.length ? JSON.parse(body.toString()) : {}) }, files: {} };
  if (type.startsWith('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(body.toString()));
    return { params: { ...query, ...Object.fromEntries(Object.entries(form).map(([k, v]) => [k, parseField(v)])) }, files: {} };
  }
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
  if (type.startsWith('multipart/form-data') && boundary) {
    const params: Record<string, unknown> = { ...query };
    const files: Record<string, Buffer> = {};
    for (const part of multipartParts(body, boundary[1] ?? boundary[2])) {
      if (part.filename !== undefined) files[part.name] = part.data;
      else params[part.name] = parseField(part.data.toString());
    }
    return { params, files };
  }
  return { params: query, files: {} };
}

/** Splits a multipart/form-data body (RFC 7578) into its named parts. */
function multipartParts(body: Buffer, boundary: string): Array<{ name: string; filename?: string; data: Buffer }> {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Array<{ name: string; filename?: string; data: Buffer }> = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2); // skip CRLF after the delimiter and before the next
    const headerEnd = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, headerEnd).toString();
    const name = /[;\s]name="([^"]*)"/i.exec(headers)?.[1] ?? '';
    const filename = /filename="?([^";\r\n]*)/i.exec(headers)?.[1]; // grammy leaves it unquoted
    parts.push({ name, filename, data: part.subarray(headerEnd + 4) });
    at = next;
  }
  return parts;
}

function parseField(v: string): unknown {
  if (/^[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}
