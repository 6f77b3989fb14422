import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import { tokenGuard } from './auth.js';
import type { CameraView } from './camera-view.js';
import { cameraRoutes } from './routes/cameras.js';
import { healthRoutes, type HealthInfo } from './routes/health.js';
import { pageRoutes } from './routes/page.js';

export interface ServerOptions {
  port: number;
  host: string;
  /** Required on every request that does not come through HA ingress. */
  token: string;
  cameras: Map<string, CameraView>;
  health: HealthInfo;
  logger: Logger;
}

/** The HTTP side of Argus: REST API, live views and the page. Built here, started by `start()`. */
export class WebServer {
  readonly app: FastifyInstance;

  constructor(private readonly opts: ServerOptions) {
    this.app = Fastify({
      loggerInstance: opts.logger.child({ part: 'http' }) as unknown as FastifyBaseLogger,
      // Request lines would carry ?token= into the log: keep them off.
      logController: new LogController({ disableRequestLogging: true }),
    }) as unknown as FastifyInstance;
    this.app.addHook('onRequest', tokenGuard(opts.token));
    healthRoutes(this.app, opts.health);
    cameraRoutes(this.app, opts.cameras);
    pageRoutes(this.app, opts.cameras);
  }

  /** Returns the port actually bound (0 in the config picks a free one). */
  async start(): Promise<number> {
    await this.app.listen({ port: this.opts.port, host: this.opts.host });
    const address = this.app.server.address();
    return typeof address === 'object' && address ? address.port : this.opts.port;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }
}
