import { describe, expect, it } from 'vitest';
import { redactSecrets, redactUrl, urlSecrets } from '../../src/config/redact.js';

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

  it('hides a password with a raw / (no parser reads such a URL: the error quoting it says it has no host)', () => {
    expect(redactUrl('cameras.c1.url: got "rtsp://admin:pa/ssSecret@127.0.0.1:18605/x"; expected a URL with a host')).toBe(
      'cameras.c1.url: got "rtsp://admin:***@127.0.0.1:18605/x"; expected a URL with a host',
    );
    expect(urlSecrets('rtsp://admin:pa/ssSecret@127.0.0.1:18605/x')).toContain('pa/ssSecret');
    expect(redactSecrets('rtsp://admin:pa/ssSecret@127.0.0.1:18605/x: Invalid argument', urlSecrets('rtsp://admin:pa/ssSecret@127.0.0.1:18605/x'))).not.toContain('Secret');
  });

  it('hides a password with both @ and / to the URL’s last @, and only the password where the @ is in the path', () => {
    // ffmpeg reads `ss:w0rdTypo` as the host; the error says so, and must not quote the rest
    const typo = 'rtsp://admin:p@ss:w0rdTypo/X@127.0.0.1:18120/cam';
    expect(redactUrl(`got "${typo}"; expected rtsp://<host>[:port]/<path>: this one has no host`)).toBe(
      'got "rtsp://admin:***@127.0.0.1:18120/cam"; expected rtsp://<host>[:port]/<path>: this one has no host',
    );
    expect(redactUrl(`${typo}: Invalid argument`)).toBe('rtsp://admin:***@127.0.0.1:18120/cam: Invalid argument');
    expect(redactUrl('rtsp://admin:pw9@192.168.1.5/live@main')).toBe('rtsp://admin:***@192.168.1.5/live@main');
    expect(redactUrl('http://cam.local:8080/x?mail=a@b.example')).toBe('http://cam.local:8080/x?mail=a@b.example');
    expect(redactUrl('[tcp @ 0x1] rtsp://u:pw@cam.local: Connection refused')).toBe('[tcp @ 0x1] rtsp://u:***@cam.local: Connection refused');
  });

  it('names a password with a space (no parser reads it) to scrub it wherever it is quoted', () => {
    const url = 'rtsp://admin:pa ss@127.0.0.1:18120/cam';
    expect(urlSecrets(url)).toContain('pa ss');
    expect(redactSecrets(`${url}: Invalid argument`, urlSecrets(url))).toBe('rtsp://admin:***@127.0.0.1:18120/cam: Invalid argument');
  });

  it('keeps each of two URLs on a line apart, and leaves URLs without a password as they are', () => {
    expect(redactUrl('rtsp://a:one@h1/x then rtsp://b:two@h2/y')).toBe('rtsp://a:***@h1/x then rtsp://b:***@h2/y');
    expect(redactUrl('http://cam.local:8080/snapshot.jpg and rtsp://cam.local/live')).toBe('http://cam.local:8080/snapshot.jpg and rtsp://cam.local/live');
  });
});

describe('credentials in the query', () => {
  const reolink = 'http://127.0.0.1:18198/flv?port=1935&app=bcs&stream=channel0_main.bcs&user=admin&password=QueryPw77';

  it("hides a camera's password given as a query parameter, the way many cameras and NVRs take it", () => {
    expect(redactUrl(reolink)).toBe('http://127.0.0.1:18198/flv?port=1935&app=bcs&stream=channel0_main.bcs&user=admin&password=***');
    expect(redactUrl(`stream failed: ${reolink}: Server returned 4XX`)).toBe(`stream failed: ${redactUrl(reolink)}: Server returned 4XX`);
    expect(redactUrl('http://cam/cgi-bin/CGIStream.cgi?cmd=GetMJStream&usr=admin&pwd=f0sc4m')).toBe('http://cam/cgi-bin/CGIStream.cgi?cmd=GetMJStream&usr=admin&pwd=***');
    // Argus' own links: the access token, never shown
    expect(redactUrl('https://argus.example/api/telegram/webhook?token=abc123def')).toBe('https://argus.example/api/telegram/webhook?token=***');
  });

  it('names the values to scrub from text that quotes them apart from the URL (ffmpeg, a library)', () => {
    expect(urlSecrets(reolink)).toEqual(['QueryPw77']);
    expect(urlSecrets('rtsp://admin:p%40ss@cam/x?token=a%20b')).toEqual(expect.arrayContaining(['p%40ss', 'p@ss', 'a b', 'a%20b']));
    expect(urlSecrets('/media/clip.mp4')).toEqual([]);
    expect(redactSecrets('ffmpeg said QueryPw77 was wrong', urlSecrets(reolink))).toBe('ffmpeg said *** was wrong');
  });
});

describe('redactSecrets', () => {
  it('removes known secret values anywhere, then URL passwords', () => {
    expect(redactSecrets('token 123:ABCdef in mqtt://u:pw@broker', ['123:ABCdef'])).toBe('token *** in mqtt://u:***@broker');
  });
});
