import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { route } from '../../../src/server/app.js';
import { telegramRoutes } from '../../../src/server/routes/telegram.js';
import { TelegramState } from '../../../src/store/telegram-state.js';
import { startHarness, type Harness } from '../../helpers/telegram-harness.js';
import { testServer } from '../../helpers/web-server.js';

const MUM = 111;
let h: Harness | undefined;
let app: ReturnType<typeof Fastify> | undefined;
afterEach(async () => {
  await app?.close();
  await h?.close();
  h = app = undefined;
});

describe('Telegram webhook mode', () => {
  it('registers the webhook with a secret and answers updates that carry it, refusing others (503 once stopped)', async () => {
    const webhookUrl = 'https://argus.example/api/telegram/webhook';
    h = await startHarness({ chats: [{ id: MUM }], mode: 'webhook', webhook_url: webhookUrl });
    const [set] = await h.api.waitFor('setWebhook', () => (h!.api.sent('setWebhook').length ? h!.api.sent('setWebhook') : undefined));
    expect(set.params.url).toBe(webhookUrl);
    const secret = String(set.params.secret_token);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{16,256}$/);
    expect(secret).not.toContain(h.api.token);
    // random and kept, not worked out from the bot token (as it was: whoever held the token could forge updates)
    expect(secret).not.toBe(createHash('sha256').update(`argus-webhook:${h.api.token}`).digest('hex').slice(0, 48));
    expect(new TelegramState(h.db).webhookSecret()).toBe(secret);
    expect(h.api.calls.some((c) => c.method === 'getUpdates')).toBe(false);

    app = Fastify();
    app.post('/api/telegram/webhook', h.output.webhookHandler());
    const update = {
      update_id: 1,
      message: {
        message_id: 5,
        date: 0,
        chat: { id: MUM, type: 'private' },
        from: { id: MUM, is_bot: false, first_name: 'M' },
        text: '/status',
        entities: [{ type: 'bot_command', offset: 0, length: 7 }],
      },
    };
    const forged = await app.inject({ method: 'POST', url: '/api/telegram/webhook', payload: update });
    expect(forged.statusCode).toBe(401);
    expect(h.api.sent('sendMessage')).toHaveLength(0);

    const real = await app.inject({ method: 'POST', url: '/api/telegram/webhook', payload: update, headers: { 'x-telegram-bot-api-secret-token': secret } });
    expect(real.statusCode).toBe(200);
    const [status] = await h.api.waitFor('the /status answer', () => (h!.api.sent('sendMessage', MUM).length ? h!.api.sent('sendMessage', MUM) : undefined));
    expect(String(status.params.text)).toContain('Argus is armed');

    await h.output.stop();
    const stopped = await app.inject({ method: 'POST', url: '/api/telegram/webhook', payload: update, headers: { 'x-telegram-bot-api-secret-token': secret } });
    expect(stopped.statusCode).toBe(503);
  });

  it('takes updates on the token-guarded port without the access token, by their secret alone; warns of a URL that still carries the token', async () => {
    h = await startHarness({ chats: [{ id: MUM }], mode: 'webhook', webhook_url: 'https://argus.example/api/telegram/webhook?token=abcdefabcdefabcdef' });
    const [set] = await h.api.waitFor('setWebhook', () => (h!.api.sent('setWebhook').length ? h!.api.sent('setWebhook') : undefined));
    expect(h.logs.join('')).toContain("telegram.webhook_url carries Argus' access token");
    const web = testServer({ token: 'the-access-token-0123456789', routes: [route(telegramRoutes, '/api/telegram', { webhook: h.output.webhookHandler() })] });
    try {
      const update = { update_id: 2, message: { message_id: 6, date: 0, chat: { id: MUM, type: 'private' }, from: { id: MUM, is_bot: false, first_name: 'M' }, text: 'hi' } };
      const forged = await web.app.inject({ method: 'POST', url: '/api/telegram/webhook', payload: update, headers: { 'x-telegram-bot-api-secret-token': 'guess' } });
      expect(forged.json()).toEqual({ error: 'secret token is wrong', code: 'unauthorized' });
      const real = await web.app.inject({
        method: 'POST',
        url: '/api/telegram/webhook',
        payload: update,
        headers: { 'x-telegram-bot-api-secret-token': String(set.params.secret_token) },
      });
      expect(real.statusCode).toBe(200);
      // the rest of the API still needs the token
      expect((await web.app.inject({ url: '/api/telegram/webhook' })).statusCode).toBe(401);
    } finally {
      await web.stop();
    }
  });

  it('answers 404 in polling mode, where grammy would throw (a 500 and a stack trace in the log)', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    app = Fastify();
    app.post('/api/telegram/webhook', h.output.webhookHandler());
    const res = await app.inject({ method: 'POST', url: '/api/telegram/webhook', payload: { update_id: 1 } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', error: expect.stringContaining('polls') });
  });
});
