import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accessToken, webUiNotice } from '../src/access-token.js';

describe('the access token at start-up', () => {
  it('is generated once into a 0600 file, and the log line names the file, never the token', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-token-'));
    const first = accessToken(dir);
    const again = accessToken(dir);
    expect(first.created).toBe(true);
    expect(again).toEqual({ token: first.token, path: join(dir, 'access-token'), created: false });
    expect(statSync(join(dir, 'access-token')).mode & 0o777).toBe(0o600);
    const quiet = webUiNotice('http://localhost:8099/', first, false);
    expect(quiet.log).toContain(join(dir, 'access-token'));
    expect(quiet.log).not.toContain(first.token);
    expect(quiet.terminal).toBeUndefined();
  });

  it('shows the link on a terminal on the first start only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-token-'));
    const first = accessToken(dir);
    expect(webUiNotice('http://localhost:8099/', first, true).terminal).toContain(`?token=${first.token}`);
    expect(webUiNotice('http://localhost:8099/', accessToken(dir), true).terminal).toBeUndefined();
    expect(webUiNotice('http://localhost:8099/', accessToken(dir, 'configured-token-123'), true).log).toContain('server.token');
  });
});
