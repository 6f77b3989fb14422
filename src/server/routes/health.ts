import type { ApiPlugin } from '../zod-validation.js';

export interface HealthInfo {
  version: string;
  mqttConnected(): boolean;
  cameraCount(): number;
}

/** `GET /api/health`: open without a token, for the container's and the Supervisor's health checks. */
export const healthRoutes: ApiPlugin<{ info: HealthInfo }> = async (app, { info }) => {
  const started = Date.now();
  app.get('/', async () => ({
    status: 'ok',
    version: info.version,
    uptime_s: Math.round((Date.now() - started) / 1000),
    mqtt: info.mqttConnected() ? 'connected' : 'disconnected',
    cameras: info.cameraCount(),
  }));
};
