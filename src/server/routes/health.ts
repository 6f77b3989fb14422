import type { FastifyInstance } from 'fastify';

export interface HealthInfo {
  version: string;
  mqttConnected(): boolean;
  cameraCount(): number;
}

export function healthRoutes(app: FastifyInstance, info: HealthInfo): void {
  const started = Date.now();
  app.get('/api/health', async () => ({
    status: 'ok',
    version: info.version,
    uptime_s: Math.round((Date.now() - started) / 1000),
    mqtt: info.mqttConnected() ? 'connected' : 'disconnected',
    cameras: info.cameraCount(),
  }));
}
