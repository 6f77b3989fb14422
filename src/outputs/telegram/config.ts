import { z } from 'zod';

/** `telegram:` — filled in by the Telegram work; documented in docs/telegram.md. */
export const telegramSchema = z
  .object({
    token: z.string().optional(),
  })
  .strict();
