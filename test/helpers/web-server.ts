import { silentLogger } from '../../src/log.js';
import { WebServer, type Listener, type RoutePlugin } from '../../src/server/app.js';
import type { CameraView } from '../../src/server/camera-view.js';

/** A WebServer on a free loopback port with no cameras unless given: what most server tests need. */
export function testServer(opts: { token: string; tokenWhere?: string; listeners?: Listener[]; cameras?: Map<string, CameraView>; routes?: RoutePlugin[] }): WebServer {
  return new WebServer({
    listeners: opts.listeners ?? [{ port: 0, host: '127.0.0.1', access: 'token' }],
    token: opts.token,
    tokenWhere: opts.tokenWhere,
    cameras: opts.cameras ?? new Map(),
    health: { version: '1', mqttConnected: () => false, cameraCount: () => opts.cameras?.size ?? 0 },
    logger: silentLogger(),
    routes: opts.routes,
  });
}
