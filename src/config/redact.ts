/**
 * Secrets (RTSP passwords, MQTT passwords, tokens) must never reach logs, the UI or MQTT.
 * Everything user-visible that may hold a URL goes through these.
 */

/**
 * rtsp://user:secret@host/… → rtsp://user:***@host/… (also inside longer text, e.g. ffmpeg's stderr).
 * The password runs to the last `@` before the path, as ffmpeg reads it: `p@ss` is one password.
 */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):([^\s/]*)@/gi, '$1:***@');
}

/** Removes every known secret value from a piece of text, then redacts URL credentials. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join('***');
  }
  return redactUrl(out);
}
