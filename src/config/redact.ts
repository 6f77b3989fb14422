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
 * path, as ffmpeg reads it: `p@ss` is one password. A password with a raw `/` (which no URL parser
 * reads: the path starts there) is hidden too, to the token's last `@`: it is quoted back in the
 * error that says the URL has no host.
 */
export function redactUrl(text: string): string {
  return text.replace(URL_PASSWORD, '$1:***@').replace(QUERY_CREDENTIAL, '$1***');
}
const URL_PASSWORD = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s/]*|[^\s]*)@/gi;

/** The secret values a URL carries (its password, its credential query parameters), raw and decoded, for scrubbing text that quotes them. */
export function urlSecrets(url: string): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    // a file path, or a password with a raw `/` (no parser reads it): the text redactUrl hides
    const raw = new RegExp(URL_PASSWORD.source, 'i').exec(url)?.[2];
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
