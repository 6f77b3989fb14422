import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginOptions } from 'fastify';
import type { Logger } from '../log.js';
import { ingressOnlyGuard, tokenGuard } from './auth.js';
import { WrongTokens } from './wrong-tokens.js';
import type { CameraView } from './camera-view.js';
import { installErrorHandling, sendError } from './error-handler.js';
import { parseJsonBodies } from './json-body.js';
import { cameraRoutes } from './routes/cameras.js';
import { healthRoutes, type HealthInfo } from './routes/health.js';
import { pageRoutes } from './routes/page.js';
import type { SnapshotSigner } from './snapshot-signer.js';
import { installWorkBudget } from './upload-work.js';
import { WorkBudget } from './work-budget.js';
import { zodValidatorCompiler, type ApiPlugin } from './zod-validation.js';

/** One port Argus listens on, and who may use it. */
export interface Listener {
  port: number;
  host: string;
  /** `ingress`: Home Assistant's ingress proxy only. `token`: ingress, or anyone with the access token. */
  access: 'ingress' | 'token';
}

/** A group of routes (events, faces, …) registered on every listener's app: made by `route()`. */
export type RoutePlugin = (app: FastifyInstance) => void;

/** Mounts a route plugin at `prefix` with the services it needs as options. */
export function route<Opts extends FastifyPluginOptions>(plugin: ApiPlugin<Opts>, prefix: string, opts: Opts): RoutePlugin {
  return (app) => void app.register(plugin, { ...opts, prefix });
}

/**
 * A fastify app with Argus' conventions and no routes: zod route schemas, and one error shape
 * `{ error, code }` for every refusal (docs/api.md). Tests mount route plugins on it directly.
 */
export function httpApp(logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as unknown as FastifyBaseLogger,
    // Request lines would carry ?token= into the log: keep them off.
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: sendError,
  }) as unknown as FastifyInstance;
  app.setValidatorCompiler(zodValidatorCompiler);
  parseJsonBodies(app);
  installErrorHandling(app);
  return app;
}

export interface ServerOptions {
  listeners: Listener[];
  /** Required on `token` listeners for every request that does not come through HA ingress. */
  token: string;
  /** Where the token is kept (its file, or `server.token`), for whoever arrives without it. */
  tokenWhere?: string;
  /** Checks signed snapshot URLs, which open one event's picture without the token. */
  signer?: SnapshotSigner;
  cameras: Map<string, CameraView>;
  health: HealthInfo;
  logger: Logger;
  routes?: RoutePlugin[];
  /** The bound on image work, shared by every listener (default: DEFAULT_WORK_BUDGET). */
  work?: WorkBudget;
}

/**
 * The HTTP side of Argus: REST API, live views and the page, served on each listener with
 * that listener's access rule (a hook, not code in each handler). Built here, started by `start()`.
 */
export class WebServer {
  readonly apps: FastifyInstance[];
  readonly work: WorkBudget;

  /** Wrong access tokens per address, across every token listener. */
  private readonly wrongTokens: WrongTokens;

  constructor(private readonly opts: ServerOptions) {
    this.work = opts.work ?? new WorkBudget();
    this.wrongTokens = new WrongTokens(opts.logger.child({ part: 'http' }));
    this.apps = opts.listeners.map((listener) => this.build(listener));
  }

  /** The first listener's app (tests use it with `inject`). */
  get app(): FastifyInstance {
    return this.apps[0];
  }

  private build(listener: Listener): FastifyInstance {
    const { opts } = this;
    const app = httpApp(opts.logger.child({ part: 'http' }));
    app.addHook('onRequest', listener.access === 'ingress' ? ingressOnlyGuard(opts.signer) : tokenGuard(opts.token, opts.signer, opts.tokenWhere, this.wrongTokens));
    installWorkBudget(app, this.work);
    const own = [route(healthRoutes, '/api/health', { info: opts.health }), route(cameraRoutes, '/api/cameras', { cameras: opts.cameras }), route(pageRoutes, '', {})];
    for (const mount of [...own, ...(opts.routes ?? [])]) mount(app);
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
