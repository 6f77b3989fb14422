import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../helpers/telegram-harness.js';

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
    const webhookUrl = 'https://argus.example/api/telegram/webhook?token=abcdefabcdefabcdef';
    h = await startHarness({ chats: [{ id: MUM }], mode: 'webhook', webhook_url: webhookUrl });
    const [set] = await h.api.waitFor('setWebhook', () => (h!.api.sent('setWebhook').length ? h!.api.sent('setWebhook') : undefined));
    expect(set.params.url).toBe(webhookUrl);
    const secret = String(set.params.secret_token);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{16,256}$/);
    expect(secret).not.toContain(h.api.token);
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

  it('answers 404 in polling mode, where grammy would throw (a 500 and a stack trace in the log)', async () => {
    h = await startHarness({ chats: [{ id: MUM }] });
    app = Fastify();
    app.post('/api/telegram/webhook', h.output.webhookHandler());
    const res = await app.inject({ method: 'POST', url: '/api/telegram/webhook', payload: { update_id: 1 } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', error: expect.stringContaining('polls') });
  });
});
