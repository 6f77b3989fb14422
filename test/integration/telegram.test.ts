import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnArgus, waitUntil, type ArgusProcess } from '../helpers/argus-process.js';
import { freePort } from '../helpers/mqtt-broker.js';
import { TelegramBotApiStandIn } from '../helpers/telegram-bot-api.js';

/**
 * The whole of Argus with Telegram on: the demo camera's people become a photo alert in the
 * allowed chat, and a chat that is not allowed gets one refusal and no photo.
 */
describe('argus with Telegram, end to end (Bot API stand-in on loopback)', () => {
  const api = new TelegramBotApiStandIn();
  const FAMILY = 4242;
  const STRANGER = 666;
  let argus: ArgusProcess;

  beforeAll(async () => {
    await api.start();
    const dir = mkdtempSync(join(tmpdir(), 'argus-telegram-'));
    const config = join(dir, 'argus.yml');
    // No cameras: the demo camera runs, full of people.
    writeFileSync(
      config,
      `
server: { port: ${await freePort()} }
mqtt: { embedded_port: 0 }
data_dir: ${dir}
telegram:
  api_root: ${api.apiRoot}
  group_window: 1
  chats:
    - { id: ${FAMILY}, name: family, kinds: [person, unknown_face] }
`,
    );
    argus = spawnArgus(['--config', config], { ARGUS_TELEGRAM_TOKEN: api.token });
  }, 30_000);
  afterAll(async () => {
    argus?.child.kill('SIGTERM');
    await argus?.exited;
    await api.stop();
  });

  it('sends the allowed chat an annotated photo of the people on the demo camera', async () => {
    const photo = await waitUntil('a sendPhoto to the family chat', () => api.sent('sendPhoto', FAMILY)[0], 120_000);
    expect(photo.status).toBe(200);
    const meta = await sharp(photo.photo!).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([640, 360]);
    expect(String(photo.params.caption)).toMatch(/demo/);
    expect(argus.output()).not.toContain(api.token);
  });

  it('refuses a chat that is not allowed: one polite message, no snapshot', async () => {
    const before = api.sent('sendPhoto').length;
    api.userMessage(STRANGER, '/snapshot demo');
    await waitUntil('the refusal', () => api.sent('sendMessage', STRANGER)[0], 30_000);
    expect(api.sent('sendPhoto', STRANGER)).toEqual([]);
    expect(api.sent('sendMessage', STRANGER)).toHaveLength(1);
    expect(api.sent('sendPhoto').filter((c) => Number(c.params.chat_id) !== FAMILY).length).toBe(0);
    expect(api.sent('sendPhoto').length).toBeGreaterThanOrEqual(before);
  });
});
