/**
 * Secrets (RTSP passwords, MQTT passwords, tokens) must never reach logs, the UI or MQTT.
 * Everything user-visible that may hold a URL goes through these.
 */

/**
 * Query parameters that carry a credential: many cameras and NVRs take their password in the
 * query (Reolink's `…&user=admin&password=…`, Foscam's `pwd=`), and Argus' own links their `token=`.
 */
const CREDENTIAL_PARAM = 'pass|password|passwd|pwd|psw|token|access_token|auth|apikey|api_key|secret';
// A value may hold `:`, but not end with one: ffmpeg quotes a URL as `<url>: <what failed>`.
const QUERY_CREDENTIAL = new RegExp(`([?&;](?:${CREDENTIAL_PARAM})=)([^&\\s#"'<>]*[^&\\s#"'<>:])`, 'gi');

/**
 * rtsp://user:secret@host/… → rtsp://user:***@host/…, and …?user=admin&password=secret → …&password=***
 * (also inside longer text, e.g. ffmpeg's stderr). The password runs to the last `@` before the
 * path, as ffmpeg reads it: `p@ss` is one password. Where what follows that `@` is no host (a
 * password with a raw `/`, which no URL parser reads, or one with `@` and `/`: `p@ss/X`), it runs
 * to the last `@` of the URL: the error that says the URL has no host quotes it back.
 */
export function redactUrl(text: string): string {
  return text
    .replace(URL_USER, (whole: string, prefix: string, rest: string) => {
      const end = passwordEnd(rest);
      return end < 0 ? whole : `${prefix}:***${rest.slice(end)}`;
    })
    .replace(QUERY_CREDENTIAL, '$1***');
}
/** `scheme://user:` and the rest of the URL, up to white space or a quote. */
const URL_USER = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@"'<>]*):([^\s"'<>]*)/gi;
/** What may follow a URL's password: a host (a name, IPv4 or [IPv6]) with an optional port, then the path or the end. */
const HOST = /^(?:\[[0-9a-f:.]+\]|[a-z0-9._~%-]+)(?::\d*)?(?:[/?#]|$|:\s)/i;

/** Where the password ends in what follows `user:` (the `@` before the host), or -1 when there is none. */
function passwordEnd(rest: string): number {
  const slash = rest.indexOf('/');
  const before = rest.lastIndexOf('@', slash < 0 ? rest.length : slash);
  if (before >= 0 && HOST.test(rest.slice(before + 1))) return before;
  // `host:8080/path?mail=a@b`: a port, not a password
  if (before < 0 && /^\d*$/.test(rest.slice(0, slash < 0 ? rest.length : slash))) return -1;
  return rest.lastIndexOf('@');
}

/** The password of `scheme://user:password@…` in one URL, to its last `@` (for a URL no parser reads). */
function rawPassword(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:/i.exec(url);
  const at = url.lastIndexOf('@');
  return m && at > m[0].length ? url.slice(m[0].length, at) : undefined;
}

/** The secret values a URL carries (its password, its credential query parameters), raw and decoded, for scrubbing text that quotes them. */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // a file path, or a password with a raw `/` or a space (no parser reads it): to the URL's last `@`
    const raw = rawPassword(url);
    return raw ? [...new Set([raw, safeDecode(raw), encodeURIComponent(raw)])] : [];
  }
  const values = [u.password, ...[...u.searchParams].filter(([k]) => new RegExp(`^(?:${CREDENTIAL_PARAM})$`, 'i').test(k)).map(([, v]) => v)];
  return [...new Set(values.filter((v) => v !== '').flatMap((v) => [v, safeDecode(v), encodeURIComponent(v)]))];
}

/** Removes every known secret value from a piece of text, then redacts URL credentials. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return redactUrl(out);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
