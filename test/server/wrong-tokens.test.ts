import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { WebServer } from '../../src/server/app.js';
import { WRONG_TOKEN_LIMIT, WRONG_TOKEN_WINDOW_MS, WrongTokens } from '../../src/server/wrong-tokens.js';

const TOKEN = 'wrong-tokens-token-0123456789';

describe('wrong access tokens', () => {
  it('logs the first wrong token of an address (never the token), and refuses the address past the limit, the right token too, until the minute ends', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', new Writable({ write: (c, _e, done) => done(void lines.push(String(c))) }));
    const server = new WebServer({
      listeners: [{ port: 0, host: '127.0.0.1', access: 'token' }],
      token: TOKEN,
      cameras: new Map(),
      health: { version: '1', mqttConnected: () => false, cameraCount: () => 0 },
      logger,
    });
    const ask = (token: string) => server.app.inject({ url: '/api/cameras', headers: { authorization: `Bearer ${token}` }, remoteAddress: '192.0.2.7' });
    try {
      expect((await ask('guess-0000000000000000')).statusCode).toBe(401);
      expect(lines.filter((l) => l.includes('wrong access token'))).toHaveLength(1);
      expect(lines.join('')).toContain('192.0.2.7');
      expect(lines.join('')).not.toContain('guess-0000000000000000');
      for (let i = 1; i < WRONG_TOKEN_LIMIT; i++) expect((await ask(`guess-${i}-000000000000000`)).statusCode).toBe(401);
      expect(lines.filter((l) => l.includes('wrong access token'))).toHaveLength(2); // the first, and the limit
      const refused = await ask(TOKEN);
      expect(refused.statusCode).toBe(429);
      expect(refused.json()).toMatchObject({ code: 'too_many_wrong_tokens' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      // another address is not held up
      expect((await server.app.inject({ url: '/api/cameras', headers: { authorization: `Bearer ${TOKEN}` }, remoteAddress: '192.0.2.8' })).statusCode).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('lets the address in again once the minute is over', () => {
    let now = 0;
    const w = new WrongTokens(undefined, () => now);
    for (let i = 0; i < WRONG_TOKEN_LIMIT; i++) w.wrong('a');
    expect(w.waitFor('a')).toBe(WRONG_TOKEN_WINDOW_MS);
    now = WRONG_TOKEN_WINDOW_MS - 1;
    expect(w.waitFor('a')).toBe(1);
    now = WRONG_TOKEN_WINDOW_MS;
    expect(w.waitFor('a')).toBe(0);
    w.wrong('a');
    expect(w.waitFor('a')).toBe(0);
  });
});
