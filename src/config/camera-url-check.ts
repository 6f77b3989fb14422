import { closest } from './closest.js';

/** The URL schemes a camera may use: what ffmpeg reads from a camera or NVR. */
const NETWORK = ['rtsp', 'rtsps', 'rtmp', 'rtmps', 'http', 'https', 'udp', 'tcp', 'srt', 'rtp'];
/** Those that always name a host; the others may listen instead (`udp://@:1234`, `srt://:9000?mode=listener`). */
const NEEDS_HOST = ['rtsp', 'rtsps', 'rtmp', 'rtmps', 'http', 'https'];

/**
 * What a camera URL should be, when this one can never work (said after "expected"), or undefined: a typo in the scheme (`rtps://`) or a URL without
 * a host is said at start, with the key, instead of being retried forever. A plain path (no
 * scheme) and `file://` are files.
 */
export function cameraUrlProblem(url: string): string | undefined {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || scheme === 'file') return undefined;
  if (!NETWORK.includes(scheme)) {
    const hint = closest(scheme, NETWORK);
    return `a URL starting with ${NETWORK.map((s) => `${s}://`).join(', ')}, or a file path: "${scheme}" is no scheme Argus reads${hint ? ` (did you mean "${hint}"?)` : ''}`;
  }
  if (!NEEDS_HOST.includes(scheme)) return undefined;
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    // unparsable: no host either
  }
  if (host) return undefined;
  // user:pa/ss@host: the path starts at the password's `/`, so no parser finds the host
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:[^\s@]*\/[^\s]*@/i.test(url) && !/^[a-z][a-z0-9+.-]*:\/\/[^\s/]*@/i.test(url))
    return `${scheme}://<user>:<password>@<host>[:port]/<path>: this one's password holds a "/", which must be written %2F (and "@" %40, ":" %3A)`;
  return `${scheme}://<host>[:port]/<path>: this one has no host`;
}
