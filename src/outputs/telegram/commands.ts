import { Composer, InputFile, type Context } from 'grammy';
import { ALL_CAMERAS } from '../../store/telegram-state.js';
import { findChat, type BotDeps } from './bot-deps.js';
import { chatSeesCamera } from './chat-routing.js';
import { clockTime, MAX_MUTE_MS, parseDuration, unmutedText } from './duration.js';
import { fullShare } from '../../stats/overload.js';

/** Registered with setMyCommands so Telegram's menu shows them. */
export const COMMANDS = [
  { command: 'start', description: 'This chat’s id and whether it is allowed' },
  { command: 'status', description: 'Cameras, fps, armed or not' },
  { command: 'snapshot', description: 'A picture now: /snapshot <camera>' },
  { command: 'arm', description: 'Send alerts again' },
  { command: 'disarm', description: 'Stop all alerts until /arm' },
  { command: 'mute', description: 'Silence a camera: /mute <camera|all> <1h|30m|off>' },
  { command: 'faces', description: 'Known people and their sample counts' },
  { command: 'help', description: 'What Argus can do here' },
];

const DEFAULT_MUTE_MS = 3_600_000;

/** The commands of an allowed chat (the chat guard runs before these). */
export function commands(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  const visibleCameras = (ctx: Context) => {
    const chat = findChat(deps, ctx.chat?.id)!;
    return deps.cameraStatuses().filter((s) => chatSeesCamera(chat, s.name));
  };

  c.command('help', (ctx) => ctx.reply(COMMANDS.map((x) => `/${x.command} — ${x.description}`).join('\n')));

  c.command('status', async (ctx) => {
    const now = deps.clock();
    const lines = [deps.state.armed() ? 'Argus is armed: alerts are on.' : 'Argus is disarmed: no alerts until /arm.'];
    const loads = deps.cameraLoads?.() ?? {};
    for (const s of visibleCameras(ctx)) {
      const health = s.connected ? `online, ${s.fps.toFixed(1)} fps` : `offline${s.lastError ? ` — ${s.lastError}` : ''}`;
      const muted = deps.state.mutedUntil(s.name, now);
      // alerts from a camera the machine cannot keep up with come late or not at all: the family should know
      const load = loads[s.name];
      const behind = s.connected && load?.overloaded ? `, only ${fullShare(load)} % of motion analysed in full (too much for this machine)` : '';
      lines.push(`• ${s.name}: ${s.enabled ? health : 'disabled'}${behind}${muted ? ` (muted until ${clockTime(muted, now)})` : ''}`);
    }
    if (lines.length === 1) lines.push('No cameras.');
    await ctx.reply(lines.join('\n'));
  });

  c.command('snapshot', async (ctx) => {
    const cams = visibleCameras(ctx).map((s) => s.name);
    const camera = named(cams, ctx.match.trim()) ?? (cams.length === 1 && !ctx.match.trim() ? cams[0] : '');
    if (!cams.includes(camera)) {
      await ctx.reply(`Which camera? /snapshot <camera>, one of: ${cams.join(', ') || '(none)'}`);
      return;
    }
    const jpeg = await deps.snapshotNow(camera);
    if (!jpeg) await ctx.reply(`No picture from ${camera} right now: it has no recent frame (see /status).`);
    else await ctx.replyWithPhoto(new InputFile(jpeg, `${camera}.jpg`), { caption: `📷 ${camera}, ${new Date(deps.clock()).toLocaleString('sv-SE')}` });
  });

  c.command(['arm', 'disarm'], async (ctx) => {
    const armed = ctx.message?.text?.startsWith('/arm') ?? false;
    const changed = deps.state.armed() !== armed;
    deps.state.setArmed(armed);
    deps.logger.info(`Telegram alerts ${armed ? 'armed' : 'disarmed'} from chat ${ctx.chat.id}`);
    await ctx.reply(armed ? 'Armed: alerts are on.' : 'Disarmed: no alerts until /arm.');
    if (!changed) return;
    // Every chat's alerts stop or start: the others are told, or Mum never knew Dad switched them off.
    const who = findChat(deps, ctx.chat.id)?.name ?? `chat ${ctx.chat.id}`;
    const said = armed ? `🔔 Alerts are on again (/arm from ${who}).` : `🔕 Alerts are off for every chat (/disarm from ${who}); /arm turns them on.`;
    for (const other of deps.chats.filter((chat) => chat.id !== ctx.chat.id)) {
      await ctx.api
        .sendMessage(other.id, said)
        .catch((err: unknown) => deps.logger.debug(`could not tell chat ${other.id} of the ${armed ? 'arm' : 'disarm'}: ${(err as Error).message}`));
    }
  });

  c.command('mute', async (ctx) => {
    const [typed = '', duration = ''] = ctx.match.trim().split(/\s+/);
    const cams = visibleCameras(ctx).map((s) => s.name);
    const camera = typed.toLowerCase() === ALL_CAMERAS ? ALL_CAMERAS : (named(cams, typed) ?? typed);
    if (camera !== ALL_CAMERAS && !cams.includes(camera)) {
      await ctx.reply(`Usage: /mute <camera|all> <duration> (e.g. /mute ${cams[0] ?? 'front_door'} 2h, or "off"). Cameras: ${cams.join(', ') || '(none)'}`);
      return;
    }
    // A chat that sees some cameras only: "all" means those (it must not silence the family's others).
    const limited = findChat(deps, ctx.chat?.id)!.cameras.length > 0;
    const targets = camera === ALL_CAMERAS && limited ? cams : [camera];
    await ctx.reply(duration === 'off' ? unmute(deps, camera, targets) : mute(deps, camera, targets, duration));
  });

  c.command('faces', async (ctx) => {
    const people = await deps.listPeople();
    await ctx.reply(people.length ? people.map((p) => `• ${p.name}: ${p.samples} sample${p.samples === 1 ? '' : 's'}`).join('\n') : 'No faces enrolled yet.');
  });

  return c;
}

/** Unmutes `targets` (the chat's cameras for its "all"); the answer says what holds now. */
function unmute(deps: BotDeps, camera: string, targets: readonly string[]): string {
  const now = deps.clock();
  for (const t of targets) deps.state.unmute(t);
  return targets.length > 1 || (camera === ALL_CAMERAS && targets[0] !== ALL_CAMERAS)
    ? `${targets.join(', ')} unmuted.`
    : unmutedText(camera, deps.state.mutedUntil(camera, now), now);
}

/** Mutes `targets` for `duration` (1 h when none, 30 days at most); the answer says until when. */
function mute(deps: BotDeps, camera: string, targets: readonly string[], duration: string): string {
  const ms = duration ? parseDuration(duration) : DEFAULT_MUTE_MS;
  if (!ms) return `"${duration}" is not a duration: use forms like 30m, 2h, 1d or off.`;
  if (ms > MAX_MUTE_MS) return `"${duration}" is too long: a mute lasts at most 30d (or use /disarm).`;
  const now = deps.clock();
  const until = now + ms;
  for (const t of targets) deps.state.mute(t, until);
  const what = camera === ALL_CAMERAS && targets[0] === ALL_CAMERAS ? 'All cameras' : targets.join(', ');
  return `${what} muted until ${clockTime(until, now)}.`;
}

/** The camera a user typed, whatever its case: a phone writes "Front_door" at the start of a message. */
function named(cameras: readonly string[], typed: string): string | undefined {
  return typed ? (cameras.find((c) => c === typed) ?? cameras.find((c) => c.toLowerCase() === typed.toLowerCase())) : undefined;
}
