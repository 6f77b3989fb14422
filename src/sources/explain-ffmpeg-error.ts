import type { CameraUrl } from './camera-url.js';

/**
 * Turns ffmpeg's stderr into one sentence a user can act on. The first rule that matches any
 * line wins, so the order puts specific causes (auth, 404) before generic ones (I/O error).
 */
const RULES: Array<{ test: RegExp; say: (u: CameraUrl, m: RegExpExecArray) => string }> = [
  // input_args ffmpeg does not take: said before what the URL then fails with ("Invalid argument")
  {
    test: /Error setting option (\S+) to value (\S+?)\.?$/,
    say: (_, m) => `ffmpeg does not take "${m[2]}" for -${m[1]}: check the camera's input_args`,
  },
  { test: /Unrecognized option '([^']+)'/, say: (_, m) => `ffmpeg has no option -${m[1]}: check the camera's input_args (ffmpeg -h demuxer=rtsp lists the RTSP ones)` },
  {
    test: /401 Unauthorized|authorization failed|authentication failed/i,
    // a URL without credentials to a camera that asks for them: not "wrong"
    say: (u) => (u.credentials === false ? 'the camera asks for a user name and password: put them in the URL (rtsp://user:password@host/…)' : 'wrong user name or password'),
  },
  { test: /403 Forbidden/i, say: () => 'access forbidden (403): this user may not view the stream' },
  { test: /400 Bad Request/i, say: () => 'the camera rejected the request (400 Bad Request): check the URL and input_args (some servers refuse -rtsp_transport tcp)' },
  { test: /404 Not Found/i, say: () => 'not found (404): check the stream path' },
  { test: /Connection refused/i, say: (u) => `connection refused at ${u.target}: is the camera on and the port right?` },
  {
    test: /Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|No address associated/i,
    say: (u) => `host not found: ${u.target.replace(/:\d+$/, '')}`,
  },
  { test: /No route to host|Network is unreachable|Host is unreachable/i, say: (u) => `host unreachable: ${u.target}` },
  { test: /timed out|Operation timed out/i, say: (u) => `connection timed out at ${u.target}` },
  { test: /matches no streams|does not contain any stream|no video stream/i, say: () => 'no video stream: the source sends no video' },
  { test: /No such file or directory/i, say: (u) => (u.kind === 'file' ? `file not found: ${u.target}` : `not found: ${u.target}`) },
  { test: /Protocol not found|Unsupported protocol/i, say: () => 'this ffmpeg cannot read that kind of URL (protocol not supported)' },
  { test: /Server returned 5\d\d|5\d\d Internal Server Error|503 Service Unavailable/i, say: () => 'the camera reported an internal error (5xx): try again later or restart it' },
  { test: /Invalid data found when processing input/i, say: () => 'the data received is not a video stream ffmpeg can read: check the URL' },
  // ffmpeg's words for a server that hung up: said as a clean end is, so one outage is one reason
  { test: /: End of file$|Connection reset by peer|Broken pipe/i, say: () => 'the stream ended: the camera or server closed it' },
  { test: /Permission denied/i, say: (u) => `permission denied reading ${u.target}` },
];

/** A sentence for the first recognised cause in `lines`, or undefined when none is recognised. */
export function explainFfmpegError(lines: readonly string[], url: CameraUrl): string | undefined {
  for (const rule of RULES) {
    for (const line of lines) {
      const m = rule.test.exec(line);
      if (m) return url.redact(rule.say(url, m));
    }
  }
  return undefined;
}

/** The last line that looks like an error, for causes no rule knows; redacted. */
export function lastErrorLine(lines: readonly string[], url: CameraUrl): string | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line && !/^(frame=|size=|video:|Stream mapping|Press \[q\])/i.test(line)) {
      return url.redact(line.replace(/^\[[^\]]+\]\s*/, ''));
    }
  }
  return undefined;
}
