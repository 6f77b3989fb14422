import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiPlugin } from '../zod-validation.js';

export interface TelegramRoutesDeps {
  /** `TelegramOutput.webhookHandler()`: grammy checks the secret token and answers. */
  webhook: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

/** `POST /api/telegram/webhook`: updates from Telegram in webhook mode (docs/telegram.md). */
export const telegramRoutes: ApiPlugin<TelegramRoutesDeps> = async (app, { webhook }) => {
  app.post('/webhook', webhook);
};
