import { z } from 'zod';

/** Alerts only while a Home Assistant entity is in one of the given states (read live). */
export const alertGateSchema = z
  .object({
    /** e.g. `alarm_control_panel.home`, or `group.family` with `states: [not_home]`; no entity, no gate. */
    entity: z
      .string()
      .regex(/^[a-z0-9_]+\.[a-z0-9_]+$/, 'an entity id such as alarm_control_panel.home')
      .optional(),
    states: z.array(z.string().min(1)).default([]),
    /** While Home Assistant is unreachable or the entity does not exist: `allow` alerts (default) or `block` them. */
    when_unknown: z.enum(['allow', 'block']).default('allow'),
  })
  .strict()
  .refine((g) => !g.entity || g.states.length > 0, { message: 'list at least one state that allows alerts, such as armed_away', path: ['states'] });

/** `homeassistant:` — the websocket API and the alert gate; documented in docs/home-assistant.md. */
export const homeAssistantSchema = z
  .object({
    /** http(s):// or ws(s):// address of Home Assistant; inside the add-on leave it out (the Supervisor proxy is used). */
    url: z
      .string()
      .regex(/^(https?|wss?):\/\//, 'a URL starting with http://, https://, ws:// or wss://')
      .optional(),
    /** A long-lived access token (HA profile → Security); inside the add-on SUPERVISOR_TOKEN is used. */
    token: z.string().min(1).optional(),
    /** Fire an HA event for every detection start. */
    fire_events: z.boolean().default(true),
    event_type: z
      .string()
      .regex(/^[a-z0-9_]+$/, 'lower-case letters, digits and _')
      .default('argus_detection'),
    alert_gate: alertGateSchema.optional(),
  })
  .strict();

export type HomeAssistantConfig = z.infer<typeof homeAssistantSchema>;
export type AlertGateConfig = z.infer<typeof alertGateSchema>;
