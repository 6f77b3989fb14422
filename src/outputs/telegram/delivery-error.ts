import { GrammyError, HttpError } from 'grammy';

/** What to do after a failed Bot API call. */
export type DeliveryVerdict =
  /** Telegram asked us to wait: exactly this long, then try the same alert again. */
  | { action: 'wait'; ms: number; reason: string }
  /** Telegram or the network is down: back off and try again. */
  | { action: 'retry'; reason: string }
  /** This chat will never take this alert (bot blocked, chat gone, bad request): drop it. */
  | { action: 'drop'; reason: string };

export function classifyDeliveryError(err: unknown): DeliveryVerdict {
  if (err instanceof GrammyError) {
    const reason = `${err.error_code}: ${err.description}${hint(err.error_code)}`;
    if (err.error_code === 429) return { action: 'wait', ms: (err.parameters.retry_after ?? 1) * 1000, reason };
    // 401 (token revoked) and 5xx are not this alert's fault: keep it and try again later.
    if (err.error_code >= 500 || err.error_code === 401) return { action: 'retry', reason };
    return { action: 'drop', reason };
  }
  if (err instanceof HttpError) return { action: 'retry', reason: err.message };
  return { action: 'retry', reason: err instanceof Error ? err.message : String(err) };
}

/** What a user can do about the Bot API errors that are about the setup rather than one alert. */
export function hint(code: number): string {
  if (code === 401) return ' — Telegram refused the bot token: check telegram.token (BotFather can show it again)';
  if (code === 409) return ' — another program is polling with this bot token, or a webhook is set for it: stop the other one';
  return '';
}
