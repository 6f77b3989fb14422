import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from '../../log.js';

/**
 * An in-process MQTT broker (aedes) so Argus runs alone when no broker is configured.
 * It listens on loopback only: an open, password-less broker must not face the network.
 */
export class EmbeddedBroker {
  private broker?: Aedes;
  private server?: Server;

  constructor(private readonly opts: { port: number; host?: string; logger: Logger }) {}

  /** Starts listening; returns the URL clients connect to. A busy port falls back to a free one. */
  async start(): Promise<string> {
    this.broker = await Aedes.createBroker();
    const host = this.opts.host ?? '127.0.0.1';
    const listen = (port: number) =>
      new Promise<Server>((resolve, reject) => {
        const server = createServer(this.broker!.handle);
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server);
        });
      });
    try {
      this.server = await listen(this.opts.port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      this.server = await listen(0);
      this.opts.logger.warn(`port ${this.opts.port} is busy; the embedded MQTT broker uses port ${this.port} instead`);
    }
    const url = `mqtt://${host}:${this.port}`;
    this.opts.logger.info(`embedded MQTT broker listening on ${url}`);
    return url;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  /** The clients first: a server closes only once its connections have, and a local subscriber would hold it open. */
  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.broker ? this.broker.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
