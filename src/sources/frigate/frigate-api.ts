export interface FrigateApiOptions {
  url: string;
  /** Tries per snapshot fetch. */
  attempts: number;
  retryMs: number;
  timeoutMs?: number;
}

/** The two calls Argus makes to Frigate's HTTP API. */
export class FrigateApi {
  private readonly base: string;
  /** Basic auth from the URL's `user:password@` (Frigate behind a proxy that asks): fetch refuses a URL that holds credentials. */
  private readonly headers: Record<string, string> = {};

  constructor(private readonly opts: FrigateApiOptions) {
    const url = new URL(opts.url);
    if (url.username || url.password) {
      const user = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
      this.headers.authorization = `Basic ${Buffer.from(user).toString('base64')}`;
      url.username = url.password = '';
    }
    this.base = url.href.replace(/\/+$/, '');
  }

  /**
   * The event's snapshot JPEG. Frigate answers 404 until it has one, so this tries a bounded
   * number of times; the error names the last reason.
   */
  async snapshot(eventId: string, signal?: AbortSignal): Promise<Buffer> {
    const url = `${this.base}/api/events/${encodeURIComponent(eventId)}/snapshot.jpg?bbox=0`;
    let reason = '';
    let tries = 0;
    for (let attempt = 1; attempt <= this.opts.attempts; attempt++) {
      if (signal?.aborted) break;
      tries = attempt;
      try {
        const res = await fetch(url, { headers: this.headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
        if (res.ok) return Buffer.from(await res.arrayBuffer());
        reason = `HTTP ${res.status}`;
        if (res.status === 401 || res.status === 403) {
          reason += ': Frigate refused Argus; give its user name and password in frigate.url (http://user:password@host:5000)';
          break; // asking again gets the same answer
        }
      } catch (err) {
        reason = (err as Error).message;
      }
      if (attempt < this.opts.attempts) await new Promise((r) => setTimeout(r, this.opts.retryMs));
    }
    throw new Error(`no snapshot for Frigate event ${eventId} from ${this.base} after ${tries === 1 ? '1 try' : `${tries} tries`} (${reason})`);
  }

  /** Each camera's detect size (`cameras.<name>.detect`), as the last cameraNames() read it: event boxes are drawn on it. */
  readonly detectSizes = new Map<string, { width: number; height: number }>();

  /** The names of the cameras Frigate is configured with (`GET /api/config`). */
  async cameraNames(): Promise<string[]> {
    const res = await fetch(`${this.base}/api/config`, { headers: this.headers, signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000) });
    if (res.status === 401 || res.status === 403)
      throw new Error(`Frigate at ${this.base} refused Argus (HTTP ${res.status}): give its user name and password in frigate.url (http://user:password@host:5000)`);
    if (!res.ok) throw new Error(`Frigate at ${this.base} answered HTTP ${res.status} for its config: is frigate.url its API (port 5000)?`);
    const config = (await res.json()) as { cameras?: Record<string, { detect?: { width?: unknown; height?: unknown } } | null> };
    for (const [name, camera] of Object.entries(config.cameras ?? {})) {
      const { width, height } = camera?.detect ?? {};
      if (typeof width === 'number' && typeof height === 'number' && width > 0 && height > 0) this.detectSizes.set(name, { width, height });
    }
    return Object.keys(config.cameras ?? {});
  }

  /** Writes a recognised name onto the Frigate event (shown in Frigate's UI and its HA entities). */
  async setSubLabel(eventId: string, name: string, score?: number): Promise<void> {
    const body: { subLabel: string; subLabelScore?: number } = { subLabel: name.slice(0, 100) };
    if (score !== undefined && score > 0) body.subLabelScore = Math.min(1, Math.round(score * 1000) / 1000);
    const res = await fetch(`${this.base}/api/events/${encodeURIComponent(eventId)}/sub_label`, {
      method: 'POST',
      headers: { ...this.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
    });
    if (!res.ok) throw new Error(`Frigate refused the sub label for event ${eventId}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
  }
}
