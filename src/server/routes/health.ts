import type { ApiPlugin } from '../zod-validation.js';

export interface HealthInfo {
  version: string;
  mqttConnected(): boolean;
  cameraCount(): number;
  /** How many of them deliver frames now. */
  camerasConnected?(): number;
  /** Whether events are not being stored for a full data disk. */
  diskFull?(): boolean;
}

/**
 * `GET /api/health`: open without a token, for the container's and the Supervisor's health checks.
 * It answers 200 while Argus runs, `degraded` with the problems a user must fix: the Supervisor's
 * watchdog restarts the add-on on a failed answer, and a restart frees no disk and brings no broker.
 */
export const healthRoutes: ApiPlugin<{ info: HealthInfo }> = async (app, { info }) => {
  const started = Date.now();
  app.get('/', async () => {
    const mqtt = info.mqttConnected();
    const full = info.diskFull?.() ?? false;
    const cameras = info.cameraCount();
    const connected = info.camerasConnected?.() ?? cameras;
    const problems = [
      ...(connected < cameras ? [`${cameras - connected} of ${cameras} cameras ${cameras - connected === 1 ? 'is' : 'are'} not connected (the Cameras page says why)`] : []),
      ...(mqtt ? [] : ['MQTT is disconnected: Home Assistant gets no detections']),
      ...(full ? ['the data folder is full: events are not stored (snapshots, database, logs)'] : []),
    ];
    return {
      status: problems.length ? 'degraded' : 'ok',
      version: info.version,
      uptime_s: Math.round((Date.now() - started) / 1000),
      mqtt: mqtt ? 'connected' : 'disconnected',
      disk: full ? 'full' : 'ok',
      cameras,
      cameras_connected: connected,
      problems,
    };
  });
};
