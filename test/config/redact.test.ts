import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl } from '../../src/config/redact.js';

describe('redactUrl', () => {
  it('hides the password of a URL, alone or inside a longer text', () => {
    expect(redactUrl('rtsp://admin:pw-Secret77@127.0.0.1:554/stream')).toBe('rtsp://admin:***@127.0.0.1:554/stream');
    expect(redactUrl('[rtsp @ 0x1] method DESCRIBE failed on rtsp://admin:hunter2@cam.local/live: 401')).toBe(
      '[rtsp @ 0x1] method DESCRIBE failed on rtsp://admin:***@cam.local/live: 401',
    );
  });

  it('hides every character of a password that holds @ or :, up to the host', () => {
    const shown = redactUrl('rtsp://admin:p@ss:w0rd@127.0.0.1:1/stream1');
    expect(shown).toBe('rtsp://admin:***@127.0.0.1:1/stream1');
    expect(shown).not.toMatch(/ss|w0rd/);
  });

  it('keeps each of two URLs on a line apart, and leaves URLs without a password as they are', () => {
    expect(redactUrl('rtsp://a:one@h1/x then rtsp://b:two@h2/y')).toBe('rtsp://a:***@h1/x then rtsp://b:***@h2/y');
    expect(redactUrl('http://cam.local:8080/snapshot.jpg and rtsp://cam.local/live')).toBe('http://cam.local:8080/snapshot.jpg and rtsp://cam.local/live');
  });
});

describe('redactSecrets', () => {
  it('removes known secret values anywhere, then URL passwords', () => {
    expect(redactSecrets('token 123:ABCdef in mqtt://u:pw@broker', ['123:ABCdef'])).toBe('token *** in mqtt://u:***@broker');
  });
});
