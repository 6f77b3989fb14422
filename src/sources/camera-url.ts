import { fileURLToPath } from 'node:url';
import { redactSecrets, urlSecrets } from '../config/redact.js';

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const DEFAULT_PORTS: Record<string, number> = { rtsp: 554, rtsps: 322, rtmp: 1935, http: 80, https: 443 };

/** A camera URL as ffmpeg needs it, with what error messages may say about it. */
export interface CameraUrl {
  /** What ffmpeg is given: the URL, or a plain path for files. */
  input: string;
  kind: 'file' | 'rtsp' | 'http' | 'other';
  /** host:port for network sources, the path for files; never holds credentials. */
  target: string;
  /** Removes this URL's password (raw and percent-decoded) from any text. */
  redact(text: string): string;
  /** Whether the URL carries a user name (a camera asking for one, without it, is told so). */
  credentials?: boolean;
}

export function parseCameraUrl(url: string): CameraUrl {
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (!scheme || scheme === 'file') {
    const path = scheme === 'file' ? fileURLToPath(url) : url;
    return { input: path, kind: 'file', target: path, redact: (t) => t };
  }
  let host = '';
  let port: number | undefined;
  let credentials = true;
  const secrets: string[] = [];
  try {
    const u = new URL(url);
    credentials = u.username !== '' || /[?&](user|usr|username|pwd|password)=/i.test(u.search);
    host = u.hostname;
    port = u.port ? Number(u.port) : DEFAULT_PORTS[scheme];
    secrets.push(...urlSecrets(url));
  } catch {
    host = '(unparsable host)';
  }
  const kind = scheme.startsWith('rtsp') ? 'rtsp' : scheme.startsWith('http') ? 'http' : 'other';
  return {
    input: url,
    kind,
    target: port ? `${host}:${port}` : host,
    credentials,
    redact: (t) => redactSecrets(t, secrets),
  };
}
