import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';

describe('the config’s secrets and the log', () => {
  it('a token or password from the config never reaches a log line, wherever it turns up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-log-secrets-'));
    const path = join(dir, 'argus.yml');
    writeFileSync(path, 'mqtt:\n  url: mqtt://127.0.0.1:1883\n  password: broker-pw-77\ntelegram:\n  token: "123456:telegram-token-xyz"\n');
    const { secrets } = loadConfig({ configPath: path, env: {}, haOptionsPath: join(dir, 'none.json') });
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk, _enc, cb) => {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger('info', sink, secrets);
    // As a library might phrase it: the token inside a URL path, the password in free text.
    logger.error('request to https://api.telegram.org/bot123456:telegram-token-xyz/sendPhoto failed');
    logger.warn({ detail: 'auth failed for broker-pw-77' }, 'mqtt');
    const out = lines.join('');
    expect(out).toContain('sendPhoto failed');
    expect(out).toContain('auth failed for ***');
    expect(out).not.toContain('telegram-token-xyz');
    expect(out).not.toContain('broker-pw-77');
  });
});
