import { WebSocketServer, type WebSocket } from 'ws';

interface Client {
  socket: WebSocket;
  authed: boolean;
  entitySubscriptions: number[];
}

/**
 * A local stand-in for Home Assistant's websocket API, speaking its protocol over a real
 * socket: auth_required → auth → auth_ok | auth_invalid, result messages, fire_event,
 * subscribe_entities (compressed states), ping.
 */
export class HaStandIn {
  readonly fired: Array<{ event_type: string; event_data: Record<string, unknown> }> = [];
  authAttempts = 0;
  logins = 0;
  private readonly clients = new Set<Client>();
  private readonly states = new Map<string, string>();

  private constructor(
    private readonly server: WebSocketServer,
    readonly url: string,
    private readonly token: string,
  ) {
    server.on('connection', (socket) => this.accept(socket));
  }

  static async start(token: string, port = 0): Promise<HaStandIn> {
    const server = new WebSocketServer({ host: '127.0.0.1', port, path: '/api/websocket' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const { port: bound } = server.address() as { port: number };
    return new HaStandIn(server, `ws://127.0.0.1:${bound}/api/websocket`, token);
  }

  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Sets an entity's state and pushes it to every `subscribe_entities` subscriber. */
  setState(entity: string, state: string): void {
    const isNew = !this.states.has(entity);
    this.states.set(entity, state);
    for (const c of this.clients) {
      for (const id of c.entitySubscriptions) {
        const event = isNew ? { a: { [entity]: compressed(state) } } : { c: { [entity]: { '+': { s: state, lc: Date.now() / 1000 } } } };
        c.socket.send(JSON.stringify({ id, type: 'event', event }));
      }
    }
  }

  /** Cuts every connection, as a restart of Home Assistant would. */
  dropConnections(): void {
    for (const c of this.clients) c.socket.terminate();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: WebSocket): void {
    const client: Client = { socket, authed: false, entitySubscriptions: [] };
    this.clients.add(client);
    socket.on('close', () => this.clients.delete(client));
    socket.send(JSON.stringify({ type: 'auth_required', ha_version: '2026.11.0' }));
    socket.on('message', (raw) => {
      const msg = JSON.parse(raw.toString()) as { type: string; id?: number; access_token?: string } & Record<string, unknown>;
      if (!client.authed) {
        if (msg.type !== 'auth') return socket.close();
        this.authAttempts++;
        if (msg.access_token === this.token) {
          client.authed = true;
          this.logins++;
          socket.send(JSON.stringify({ type: 'auth_ok', ha_version: '2026.11.0' }));
        } else {
          socket.send(JSON.stringify({ type: 'auth_invalid', message: 'Invalid access token or password' }));
          socket.close();
        }
        return;
      }
      const reply = (body: Record<string, unknown>) => socket.send(JSON.stringify({ id: msg.id, type: 'result', ...body }));
      switch (msg.type) {
        case 'supported_features':
          return reply({ success: true, result: null });
        case 'ping':
          return socket.send(JSON.stringify({ id: msg.id, type: 'pong' }));
        case 'fire_event':
          this.fired.push({ event_type: msg.event_type as string, event_data: msg.event_data as Record<string, unknown> });
          return reply({ success: true, result: { context: { id: `ctx${this.fired.length}` } } });
        case 'subscribe_entities': {
          client.entitySubscriptions.push(msg.id!);
          reply({ success: true, result: null });
          const a = Object.fromEntries([...this.states].map(([e, s]) => [e, compressed(s)]));
          return socket.send(JSON.stringify({ id: msg.id, type: 'event', event: { a } }));
        }
        case 'unsubscribe_events':
          client.entitySubscriptions = client.entitySubscriptions.filter((id) => id !== msg.subscription);
          return reply({ success: true, result: null });
        default:
          return reply({ success: false, error: { code: 'unknown_command', message: `Unknown command ${msg.type}` } });
      }
    });
  }
}

function compressed(state: string) {
  return { s: state, a: {}, c: 'ctx', lc: Date.now() / 1000 };
}
