import { Composer, type Context } from 'grammy';
import { findChat, type BotDeps } from './bot-deps.js';

const MAX_REMEMBERED = 10_000;

/**
 * `/start` answers any chat with its id (that is how a user finds the id to put in
 * `telegram.chats`); after it, a chat that is not listed gets one polite refusal and nothing
 * else — no snapshot, no status, no names — however often it asks.
 */
export function chatGuard(deps: BotDeps): Composer<Context> {
  const refused = new Set<number>();
  const guard = new Composer<Context>();

  guard.command('start', async (ctx) => {
    const id = ctx.chat.id;
    const chat = findChat(deps, id);
    if (chat) {
      const cams = chat.cameras.length ? chat.cameras.join(', ') : 'all cameras';
      await ctx.reply(`This chat's id is ${id}. It is allowed${chat.name ? ` (as ${chat.name})` : ''}: alerts from ${cams} come here. /help lists the commands.`);
    } else {
      await ctx.reply(`This chat's id is ${id}. It is not allowed yet: add it to telegram.chats in Argus' configuration to receive alerts.`);
    }
  });

  guard.use(async (ctx, next) => {
    const id = ctx.chat?.id;
    if (findChat(deps, id)) return next();
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: 'This chat is not allowed to use Argus.' });
    } else if (id !== undefined && !refused.has(id)) {
      if (refused.size >= MAX_REMEMBERED) refused.clear(); // a flood of strangers must not grow memory
      refused.add(id);
      deps.logger.warn(`Telegram chat ${id} is not in telegram.chats; it was refused`);
      await ctx.reply('Sorry, this chat is not allowed to use Argus. Send /start to see its id.');
    }
  });
  return guard;
}
