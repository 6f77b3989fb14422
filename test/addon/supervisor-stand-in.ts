import { createServer, type Server } from 'node:http';

/** What the Supervisor's services API says about the MQTT broker (GET /services/mqtt). */
export interface MqttService {
  host: string;
  port: number;
  ssl: boolean;
  username: string;
  password: string;
}

/**
 * The part of the Supervisor's HTTP API the add-on uses, on loopback: `GET /services/mqtt` with
 * the bearer token the add-on was given; anything else is 404, a wrong token 401.
 */
export class SupervisorStandIn {
  readonly requests: Array<{ method: string; url: string; authorization?: string }> = [];
  private server?: Server;

  constructor(
    readonly token: string,
    private readonly mqtt: MqttService,
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      this.requests.push({ method: req.method ?? '', url: req.url ?? '', authorization: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${this.token}`) return void res.writeHead(401).end();
      if (req.method !== 'GET' || req.url !== '/services/mqtt') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result: 'ok', data: { ...this.mqtt, protocol: '3.1.1', addon: 'core_mosquitto' } }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
