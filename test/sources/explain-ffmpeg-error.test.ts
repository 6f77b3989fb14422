import { describe, expect, it } from 'vitest';
import { parseCameraUrl } from '../../src/sources/camera-url.js';
import { explainFfmpegError, lastErrorLine } from '../../src/sources/explain-ffmpeg-error.js';

// Lines as Debian's ffmpeg 5.1 prints them (copied from real runs).
const cases: Array<[string, string, string[], RegExp]> = [
  [
    'a wrong password',
    'rtsp://admin:hunter22@10.0.0.5/live',
    ['[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized', 'rtsp://admin:hunter22@10.0.0.5/live: Server returned 401 Unauthorized (authorization failed)'],
    /^wrong user name or password$/,
  ],
  [
    'a camera that asks for a password the URL does not give',
    'rtsp://127.0.0.1:18120/cam',
    ['[rtsp @ 0x55] method DESCRIBE failed: 401 Unauthorized', 'rtsp://127.0.0.1:18120/cam: Server returned 401 Unauthorized (authorization failed)'],
    /^the camera asks for a user name and password: put them in the URL/,
  ],
  [
    'a refused connection',
    'rtsp://10.0.0.5:8554/cam',
    ['[tcp @ 0x55] Connection to tcp://10.0.0.5:8554?timeout=0 failed: Connection refused'],
    /^connection refused at 10\.0\.0\.5:8554/,
  ],
  ['a refused connection on the default port', 'rtsp://10.0.0.5/cam', ['rtsp://10.0.0.5/cam: Connection refused'], /^connection refused at 10\.0\.0\.5:554/],
  ['a 404', 'http://cam.local/video', ['http://cam.local/video: Server returned 404 Not Found'], /^not found \(404\): check the stream path$/],
  ['an unknown host', 'rtsp://nohost.invalid:554/cam', ['[tcp @ 0x55] Failed to resolve hostname nohost.invalid: Name or service not known'], /^host not found: nohost\.invalid$/],
  ['no video stream', '/clips/audio.m4a', ["Stream map '0:v:0' matches no streams."], /^no video stream/],
  ['a missing file', '/clips/none.mp4', ['/clips/none.mp4: No such file or directory'], /^file not found: \/clips\/none\.mp4$/],
  // an MJPEG server that closed every connection (seen live: the raw line reached the log as a second reason)
  ['a server that hung up', 'http://10.0.0.5:8080/video', ['http://10.0.0.5:8080/video: End of file'], /^the stream ended: the camera or server closed it$/],
  ['a timeout', 'rtsp://10.0.0.5/cam', ['[tcp @ 0x55] Connection to tcp://10.0.0.5:554 failed: Connection timed out'], /^connection timed out at 10\.0\.0\.5:554$/],
  // input_args with a typo (this machine's ffmpeg): it then fails the URL with a bare "Invalid argument"
  [
    'an input_args value ffmpeg does not take',
    'rtsp://127.0.0.1:18110/cam',
    [
      '[RTSP demuxer @ 0x56] Unable to parse option value "tpc"',
      '[RTSP demuxer @ 0x56] Error setting option rtsp_transport to value tpc.',
      'rtsp://127.0.0.1:18110/cam: Invalid argument',
    ],
    /^ffmpeg does not take "tpc" for -rtsp_transport: check the camera's input_args$/,
  ],
  [
    'an input_args option ffmpeg does not have',
    'rtsp://127.0.0.1:18110/cam',
    ["Unrecognized option 'stimeout'.", 'Error splitting the argument list: Option not found'],
    /^ffmpeg has no option -stimeout: check the camera's input_args/,
  ],
];

describe('explainFfmpegError', () => {
  for (const [what, url, lines, expected] of cases) {
    it(`says ${what} in plain words`, () => {
      expect(explainFfmpegError(lines, parseCameraUrl(url))).toMatch(expected);
    });
  }

  it('says nothing for lines it does not recognise, and lastErrorLine redacts the password', () => {
    const url = parseCameraUrl('rtsp://admin:hunter22@10.0.0.5/live');
    const lines = ['rtsp://admin:hunter22@10.0.0.5/live: something odd happened'];
    expect(explainFfmpegError(lines, url)).toBeUndefined();
    const said = lastErrorLine(lines, url)!;
    expect(said).toContain('something odd happened');
    expect(said).not.toContain('hunter22');
  });
});

describe('parseCameraUrl', () => {
  it('treats plain paths and file: URLs as files', () => {
    expect(parseCameraUrl('/media/clip.mp4')).toMatchObject({ kind: 'file', input: '/media/clip.mp4' });
    expect(parseCameraUrl('file:///media/clip.mp4')).toMatchObject({ kind: 'file', input: '/media/clip.mp4' });
  });

  it('redacts a percent-encoded password in both its forms', () => {
    const url = parseCameraUrl('rtsp://admin:p%40ss%3Aword@cam/stream');
    expect(url.kind).toBe('rtsp');
    expect(url.target).toBe('cam:554');
    expect(url.redact('failed p%40ss%3Aword and p@ss:word')).not.toMatch(/p%40ss|p@ss/);
  });
});
