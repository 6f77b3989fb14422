import { createServer, type Server } from 'node:http';

interface StoredEvent {
  jpeg: Buffer;
  /** Answer 404 this many times before serving the snapshot (Frigate has none yet). */
  notYet: number;
}

/**
 * A local stand-in for Frigate's HTTP API over a real socket: `GET /api/events/<id>/snapshot.jpg`
 * (404 until the event has a snapshot) and `POST /api/events/<id>/sub_label` with Frigate's body.
 */
export class FrigateStandIn {
  readonly snapshotRequests: string[] = [];
  readonly subLabels: Array<{ id: string; subLabel: string; subLabelScore?: number }> = [];
  private readonly events = new Map<string, StoredEvent>();
  /** The cameras `GET /api/config` lists. */
  cameras: string[] = [];
  /** `user:password`: then every request needs it as Basic auth (Frigate behind a proxy that asks), else 401. */
  basicAuth?: string;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<FrigateStandIn> {
    let self: FrigateStandIn | undefined;
    const server = createServer((req, res) => self!.handle(req.method ?? 'GET', req.url ?? '/', req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const { port } = server.address() as { port: number };
    self = new FrigateStandIn(server, `http://127.0.0.1:${port}`);
    return self;
  }

  addEvent(id: string, jpeg: Buffer, notYet = 0): void {
    this.events.set(id, { jpeg, notYet });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, url: string, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const path = new URL(url, 'http://x').pathname;
    if (this.basicAuth && req.headers.authorization !== `Basic ${Buffer.from(this.basicAuth).toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="frigate"' }).end();
      return;
    }
    if (method === 'GET' && path === '/api/config') {
      const cameras = Object.fromEntries(this.cameras.map((c) => [c, { enabled: true, detect: { width: 1280, height: 720, fps: 5 } }]));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ mqtt: { topic_prefix: 'frigate' }, cameras }));
      return;
    }
    const snap = /^\/api\/events\/([^/]+)\/snapshot\.jpg$/.exec(path);
    if (method === 'GET' && snap) {
      const id = decodeURIComponent(snap[1]);
      this.snapshotRequests.push(id);
      const ev = this.events.get(id);
      if (!ev || ev.notYet > 0) {
        if (ev) ev.notYet--;
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false, message: 'Event not found' }));
        return;
      }
      res.writeHead(200, { 'content-type': 'image/jpeg' }).end(ev.jpeg);
      return;
    }
    const sub = /^\/api\/events\/([^/]+)\/sub_label$/.exec(path);
    if (method === 'POST' && sub) {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const id = decodeURIComponent(sub[1]);
        const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as { subLabel?: string; subLabelScore?: number };
        if (!this.events.has(id) || typeof body.subLabel !== 'string') {
          res.writeHead(this.events.has(id) ? 400 : 404, { 'content-type': 'application/json' }).end(JSON.stringify({ success: false }));
          return;
        }
        this.subLabels.push({ id, subLabel: body.subLabel, subLabelScore: body.subLabelScore });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ success: true, message: `Event ${id} sub label set to ${body.subLabel}` }));
      });
      return;
    }
    res.writeHead(404).end();
  }
}
