import { z } from 'zod';

/** A time of day as schedules write it: `7:00` or `07:00`; `24:00` only ends a window. */
const HHMM = /^([01]?\d|2[0-3]):[0-5]\d$/;
const END_HHMM = /^(([01]?\d|2[0-3]):[0-5]\d|24:00)$/;
const time = (example: string, pattern: RegExp) =>
  z.string({ error: (issue) => (issue.input === undefined ? `missing: give a time such as ${example}` : `a time such as ${example}`) }).regex(pattern, `a time such as ${example}`);

/** Telegram chat ids are integers (negative for groups and channels); YAML may quote them. */
const chatId = z.union([z.number().int(), z.string().regex(/^-?\d+$/, 'a numeric chat id such as 123456789 or -1001234567890')]).transform((v) => Number(v));

export const quietHoursSchema = z
  .object({
    /** Local time (HH:MM) when quiet hours begin; may be later than `end` to span midnight. */
    start: time('22:00', HHMM),
    /** Local time when they end (`24:00`: midnight). */
    end: time('07:00', END_HHMM),
  })
  .strict()
  // as a schedule's window: the same start and end would never be quiet, unsaid
  .refine((q) => minutesOf(q.start) !== minutesOf(q.end) % 1440, {
    message: 'quiet hours start and end at the same time, so they would never be quiet: give two times, such as 22:00 and 07:00',
    path: ['end'],
  });

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
}

export const telegramChatSchema = z
  .object({
    id: chatId,
    /** Who this chat is, for logs and /start. */
    name: z.string().min(1).optional(),
    /** Cameras this chat hears about and may ask for; empty = all. */
    cameras: z.array(z.string()).default([]),
    /** Alert kinds this chat hears about (the analyzers' list: `weapon`, `person`, `known_face`, …); absent = all. Checked against the list when the config is read. */
    kinds: z.array(z.string().min(1)).optional(),
    /** Only alerts about these recognised people (e.g. ["grandma"]); empty = anyone. */
    names: z.array(z.string()).default([]),
    quiet_hours: quietHoursSchema.optional(),
  })
  .strict();

/** `telegram:` — alerts with a photo, commands and the delivery outbox; documented in docs/telegram.md. */
export const telegramSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The bot token from @BotFather. Never logged. */
    token: z.string().min(1, 'the bot token from @BotFather'),
    /** Only these chats get alerts or answers; others get one polite refusal. */
    chats: z.array(telegramChatSchema).default([]),
    /** A self-hosted Bot API server (grammy's apiRoot), without a trailing slash. */
    api_root: z
      .string()
      .regex(/^https?:\/\/[^\s]*[^/\s]$/, 'an http(s) URL without a trailing slash')
      .default('https://api.telegram.org'),
    /** `polling` (getUpdates) works behind NAT; `webhook` needs `webhook_url` reachable from Telegram. */
    mode: z.enum(['polling', 'webhook']).default('polling'),
    /** Public URL of Argus' `/api/telegram/webhook` route (webhook mode only). */
    webhook_url: z.url().optional(),
    /** Seconds after a person or face alert before the next one for the same camera and kind. */
    cooldown: z.number().min(0).max(86_400).default(60),
    /** Seconds to gather a burst of person/face events into one message before sending it. */
    group_window: z.number().min(0).max(600).default(5),
    /** Most alerts held in the outbox during an outage; oldest non-urgent alerts (all but weapons and falls) go first. */
    outbox_limit: z.number().int().min(10).max(100_000).default(500),
    retry: z
      .object({
        /** First wait after a network error or 5xx; doubles up to `max_seconds`. */
        min_seconds: z.number().gt(0).default(2),
        max_seconds: z.number().gt(0).default(300),
      })
      .strict()
      .default({ min_seconds: 2, max_seconds: 300 }),
  })
  .strict()
  .refine((t) => t.mode !== 'webhook' || t.webhook_url, {
    message: 'webhook mode needs telegram.webhook_url (the public URL of /api/telegram/webhook)',
    path: ['webhook_url'],
  });

export type TelegramConfig = z.infer<typeof telegramSchema>;
export type TelegramChatConfig = z.infer<typeof telegramChatSchema>;
export type QuietHours = z.infer<typeof quietHoursSchema>;
