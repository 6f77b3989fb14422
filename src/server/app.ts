import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import { ingressOnlyGuard, tokenGuard } from './auth.js';
import type { CameraView } from './camera-view.js';
import { cameraRoutes } from './routes/cameras.js';
import { healthRoutes, type HealthInfo } from './routes/health.js';
import { pageRoutes } from './routes/page.js';

/** One port Argus listens on, and who may use it. */
export interface Listener {
  port: number;
  host: string;
  /** `ingress`: Home Assistant's ingress proxy only. `token`: ingress, or anyone with the access token. */
  access: 'ingress' | 'token';
}

/** A group of routes (events, faces, …) registered on every listener's app. */
export type RoutePlugin = (app: FastifyInstance) => void;

export interface ServerOptions {
  listeners: Listener[];
  /** Required on `token` listeners for every request that does not come through HA ingress. */
  token: string;
  cameras: Map<string, CameraView>;
  health: HealthInfo;
  logger: Logger;
  routes?: RoutePlugin[];
}

/**
 * The HTTP side of Argus: REST API, live views and the page, served on each listener with
 * that listener's access rule (a hook, not code in each handler). Built here, started by `start()`.
 */
export class WebServer {
  readonly apps: FastifyInstance[];

  constructor(private readonly opts: ServerOptions) {
    this.apps = opts.listeners.map((listener) => this.build(listener));
  }

  /** The first listener's app (tests use it with `inject`). */
  get app(): FastifyInstance {
    return this.apps[0];
  }

  private build(listener: Listener): FastifyInstance {
    const { opts } = this;
    const app = Fastify({
      loggerInstance: opts.logger.child({ part: 'http' }) as unknown as FastifyBaseLogger,
      // Request lines would carry ?token= into the log: keep them off.
      logController: new LogController({ disableRequestLogging: true }),
    }) as unknown as FastifyInstance;
    app.addHook('onRequest', listener.access === 'ingress' ? ingressOnlyGuard() : tokenGuard(opts.token));
    healthRoutes(app, opts.health);
    cameraRoutes(app, opts.cameras);
    pageRoutes(app);
    for (const routes of opts.routes ?? []) routes(app);
    return app;
  }

  /** Returns the ports actually bound, in listener order (0 in the config picks a free one). */
  async start(): Promise<number[]> {
    const ports: number[] = [];
    for (const [i, app] of this.apps.entries()) {
      const { port, host } = this.opts.listeners[i];
      try {
        await app.listen({ port, host });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new Error(`port ${port} is already in use (another Argus?): set server.port or ARGUS_PORT to a free one`);
        }
        throw err;
      }
      const address = app.server.address();
      ports.push(typeof address === 'object' && address ? address.port : port);
    }
    return ports;
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((app) => app.close()));
  }
}
