import { Composer, InputFile, type Context } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import { findChat, type BotDeps } from './bot-deps.js';
import { button, decodeAction } from './buttons.js';
import { checkPersonName } from '../../registry/person-name.js';
import { chatSeesCamera } from './chat-routing.js';
import { clockTime, unmutedText } from './duration.js';

const MUTE_MS = 3_600_000;
/** Unanswered "who is this?" prompts kept; older ones are forgotten. */
const MAX_PROMPTS = 200;

/**
 * The alert's inline buttons — snapshot now, mute 1 h, add to faces — and the reply that
 * names a face. "Add to faces…" asks with a forced reply; the reply's text is the name.
 */
export function callbacks(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  /** `${chatId}:${promptMessageId}` → event id. */
  const prompts = new Map<string, string>();

  c.on('callback_query:data', async (ctx) => {
    const action = decodeAction(ctx.callbackQuery.data);
    const chat = findChat(deps, ctx.chat?.id)!;
    if (!action || ('camera' in action && !chatSeesCamera(chat, action.camera))) {
      await ctx.answerCallbackQuery({ text: 'That button no longer works.' });
      return;
    }
    if (action.kind === 'snap') {
      await ctx.answerCallbackQuery();
      const jpeg = await deps.snapshotNow(action.camera);
      if (!jpeg) await ctx.reply(`No picture from ${action.camera} right now: it has no recent frame (see /status).`);
      else await ctx.replyWithPhoto(new InputFile(jpeg, `${action.camera}.jpg`), { caption: `📷 ${action.camera}` });
    } else if (action.kind === 'mute' || action.kind === 'unmute') {
      const muting = action.kind === 'mute';
      const now = deps.clock();
      const until = now + MUTE_MS;
      if (muting) deps.state.mute(action.camera, until);
      else deps.state.unmute(action.camera);
      await ctx.answerCallbackQuery({
        text: muting ? `${action.camera} muted until ${clockTime(until, now)}` : unmutedText(action.camera, deps.state.mutedUntil(action.camera, now), now).replace(/\.$/, ''),
      });
      // the button shows what holds now (an unmute under a mute of all cameras leaves it muted)
      const keyboard = swapMuteButton(ctx.callbackQuery.message?.reply_markup?.inline_keyboard, action.camera, deps.state.mutedUntil(action.camera, now) !== null);
      if (keyboard) await ctx.editMessageReplyMarkup({ reply_markup: { inline_keyboard: keyboard } });
    } else if (action.kind === 'enrol') {
      await ctx.answerCallbackQuery();
      const prompt = await ctx.reply(`${WHO_IS_THIS} Reply to this message with their name.`, {
        reply_markup: { force_reply: true, input_field_placeholder: 'Name' },
      });
      prompts.set(`${prompt.chat.id}:${prompt.message_id}`, action.eventId);
      if (prompts.size > MAX_PROMPTS) prompts.delete(prompts.keys().next().value!);
    }
  });

  c.on('message:text', async (ctx, next) => {
    const replyTo = ctx.message.reply_to_message?.message_id;
    const key = `${ctx.chat.id}:${replyTo}`;
    const eventId = prompts.get(key);
    if (replyTo === undefined) return next();
    if (!eventId) {
      // A reply to a question asked before Argus restarted (questions are held in memory): say so, not nothing.
      const asked = ctx.message.reply_to_message;
      if (asked?.from?.is_bot && asked.text?.startsWith(WHO_IS_THIS)) {
        await ctx.reply('That question is from before Argus restarted: press ➕ Add to faces… under the alert again.');
        return;
      }
      return next();
    }
    let name: string;
    try {
      name = checkPersonName(ctx.message.text); // the registry's rule: a phone's ’ is taken as '
    } catch {
      await ctx.reply('A name is letters, digits, spaces, dots, dashes or apostrophes (up to 64). Reply to my question again.');
      return;
    }
    prompts.delete(key);
    const result = await deps.enrolFromEvent(name, eventId);
    deps.logger.info(
      `Telegram chat ${ctx.chat.id} ${result.ok ? `enrolled the face of event ${eventId} as ${name}` : `could not enrol the face of event ${eventId} as ${name}: ${result.reason}`}`,
    );
    await ctx.reply(result.ok ? `Added to faces as ${name}.` : `Not added: ${familyWords(result.reason)}`);
  });

  return c;
}

const WHO_IS_THIS = 'Who is this?';

/**
 * The registry's refusal as a family reads it in a chat: no event id, and no "pass force" (the
 * API's word, which a chat cannot do).
 */
export function familyWords(reason: string): string {
  return reason
    .replace(/^the face in \S+ /, 'this face ')
    .replace(/, or pass force to (enrol|add) it[^.]*$/, '')
    .replace(/ \(similarity [\d.]+, (threshold|under) [\d.]+\)/, '');
}

/** The same keyboard with this camera's mute button turned into unmute, or back. */
function swapMuteButton(rows: InlineKeyboardButton[][] | undefined, camera: string, muted: boolean): InlineKeyboardButton[][] | undefined {
  if (!rows) return undefined;
  const from = `${muted ? 'mute' : 'unmute'}:${camera}`;
  const to = muted ? button('🔔 Unmute', { kind: 'unmute', camera }) : button('🔕 Mute this camera 1 h', { kind: 'mute', camera });
  let changed = false;
  const next = rows.map((row) =>
    row.flatMap((b): InlineKeyboardButton[] => {
      if ('callback_data' in b && b.callback_data === from) {
        changed = true;
        return to;
      }
      return [b];
    }),
  );
  return changed ? next : undefined;
}
