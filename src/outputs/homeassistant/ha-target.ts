import type { HomeAssistantConfig } from './config.js';

export interface HaTarget {
  /** The websocket URL (`…/api/websocket`). */
  url: string;
  token: string;
  via: 'supervisor' | 'config';
}

/** Inside the add-on the Supervisor proxies HA's websocket API and hands us a token. */
export const SUPERVISOR_WEBSOCKET_URL = 'ws://supervisor/core/websocket';

/**
 * Where to reach Home Assistant: `homeassistant.url` + `token` when set (standalone), else the
 * Supervisor's proxy with SUPERVISOR_TOKEN (inside the add-on), else nowhere (null).
 */
export function resolveHaTarget(config: HomeAssistantConfig | undefined, env: NodeJS.ProcessEnv): HaTarget | null {
  if (config?.url) {
    if (!config.token) throw new Error('homeassistant.url is set but homeassistant.token is not: create a long-lived access token in your Home Assistant profile (Security tab)');
    return { url: websocketUrl(config.url), token: config.token, via: 'config' };
  }
  if (env.SUPERVISOR_TOKEN) return { url: SUPERVISOR_WEBSOCKET_URL, token: env.SUPERVISOR_TOKEN, via: 'supervisor' };
  return null;
}

/** `http://ha:8123` → `ws://ha:8123/api/websocket`; a ws(s):// URL is taken as it is. */
export function websocketUrl(url: string): string {
  if (/^wss?:\/\//.test(url)) return url;
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.pathname = `${u.pathname.replace(/\/$/, '')}/api/websocket`;
  return u.href;
}
