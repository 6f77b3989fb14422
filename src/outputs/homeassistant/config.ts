import { z } from 'zod';

/** `homeassistant:` — the websocket API and the alert gate; documented in docs/home-assistant.md. */
export const homeAssistantSchema = z
  .object({
    url: z.string().optional(),
    token: z.string().optional(),
  })
  .strict();
