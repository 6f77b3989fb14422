import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import { EventBus } from '../../src/bus.js';
import type { ArgusEvent, EventMessage } from '../../src/events/event.js';
import { silentLogger } from '../../src/log.js';
import { MqttConnection } from '../../src/outputs/mqtt/connection.js';
import { HomeAssistantMqtt } from '../../src/outputs/mqtt/ha-mqtt.js';
import { StatsPublisher } from '../../src/outputs/mqtt/stats-publisher.js';
import { httpApp, route } from '../../src/server/app.js';
import { statsRoutes } from '../../src/server/routes/stats.js';
import type { StatsReport } from '../../src/stats/report.js';
import { Stats } from '../../src/stats/stats.js';
import { openDatabase } from '../../src/store/database.js';
import { waitUntil } from '../helpers/argus-process.js';

const until = (probe: () => boolean, ms: number) => waitUntil(probe.toString(), () => probe() || undefined, ms);
import { startBroker, type TestBroker } from '../helpers/mqtt-broker.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';

const kinds = new EventKinds(ANALYZERS);
const event: ArgusEvent = {
  id: 'e1',
  camera: 'front_door',
  kind: 'person',
  label: 'person',
  sub_label: null,
  score: 0.9,
  top_score: 0.9,
  box: [0, 0, 10, 10],
  zones: [],
  start_time: 1_795_000_000,
  end_time: null,
  snapshot: null,
  attributes: {},
};

/** Reads `value_json.a.b['c'].d` from a report, as HA's template would. */
function templateValue(template: string, report: StatsReport): unknown {
  const path = /value_json((?:\.\w+|\['\w+'\])+)/.exec(template)?.[1] ?? '';
  return [...path.matchAll(/\.(\w+)|\['(\w+)'\]/g)].reduce<unknown>((v, m) => (v as Record<string, unknown>)?.[m[1] ?? m[2]], report);
}

describe('stats on MQTT and in Home Assistant, against a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  it('publishes argus/stats retained, times frame→MQTT, and HA discovery gets sensors that read it', async () => {
    const base = 'argus_stats_t';
    const bus = new EventBus();
    const stats = new Stats({ cameras: ['front_door'], kinds });
    stats.start({ bus, statuses: () => [] });
    const mqtt = new MqttConnection({ url: broker.url, baseTopic: base, logger: silentLogger() });
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus,
      db: openDatabase(join(mkdtempSync(join(tmpdir(), 'argus-stats-')), 'argus.db')),
      cameras: ['front_door'],
      kinds,
      discoveryPrefix: `${base}_ha`,
      version: '9.9.9',
      logger: silentLogger(),
      onPause: () => undefined,
      loadSnapshot: async () => undefined,
      onEventPublish: (message) => stats.mqttPublish(message),
    });
    const publisher = new StatsPublisher({ mqtt, report: () => stats.report() });
    const watch = await MqttWatch.open(broker.url, '#');
    try {
      mqtt.start();
      ha.start();
      await until(() => mqtt.connected, 10_000);
      stats.motion('front_door', false);
      stats.record('centernet', 25);
      const message: EventMessage = { type: 'start', event };
      stats.eventFrame(message, Date.now() - 100);
      bus.emit('event', message);
      await until(() => stats.report().latency_ms.frame_to_mqtt.p50 !== null, 10_000);
      publisher.start();
      await until(() => watch.last(`${base}/stats`) !== undefined, 10_000);
      const report = JSON.parse(watch.last(`${base}/stats`)!) as StatsReport;
      expect(report.latency_ms.frame_to_mqtt.p50).toBeGreaterThanOrEqual(100);
      expect(report.models.centernet.runs).toBe(1);
      expect(report.cameras.front_door.totals.motion).toBe(1);
      // Retained: a late subscriber (HA after a restart) gets it at once.
      const late = await MqttWatch.open(broker.url, `${base}/stats`);
      await until(() => late.messages.length > 0, 10_000);
      expect(late.messages[0].retain).toBe(true);
      await late.close();

      await until(() => watch.last(`${base}_ha/device/${base}_front_door/config`) !== undefined && watch.last(`${base}_ha/device/${base}_bridge/config`) !== undefined, 10_000);
      const camera = JSON.parse(watch.last(`${base}_ha/device/${base}_front_door/config`)!).cmps;
      const bridge = JSON.parse(watch.last(`${base}_ha/device/${base}_bridge/config`)!).cmps;
      for (const [cmp, value] of [
        [camera[`${base}_front_door_analyzed_fps`], report.cameras.front_door.analyzed_fps],
        [camera[`${base}_front_door_skipped_fps`], report.cameras.front_door.skipped_fps],
        [camera[`${base}_front_door_essential_fps`], report.cameras.front_door.essential_fps],
        [bridge[`${base}_bridge_inference_ms`], 25],
      ]) {
        expect(cmp).toMatchObject({ p: 'sensor', state_topic: `${base}/stats`, entity_category: 'diagnostic' });
        expect(templateValue(cmp.value_template, report)).toBe(value);
      }
      // A problem sensor on the camera's `overloaded` (false here: one motion frame, none skipped).
      const overloaded = camera[`${base}_front_door_overloaded`];
      expect(overloaded).toMatchObject({ p: 'binary_sensor', state_topic: `${base}/stats`, device_class: 'problem', entity_category: 'diagnostic' });
      expect(overloaded.value_template).toBe("{{ 'ON' if value_json.cameras['front_door'].overloaded else 'OFF' }}");
      expect(templateValue(overloaded.value_template, report)).toBe(false);
    } finally {
      publisher.stop();
      ha.stop();
      stats.stop(bus);
      await mqtt.stop();
      await watch.close();
    }
  });

  it('GET /api/stats answers the report', async () => {
    const stats = new Stats({ cameras: ['front_door'], kinds });
    const app = httpApp(silentLogger());
    route(statsRoutes, '/api/stats', { report: (since) => stats.report(since) })(app);
    const res = await app.inject({ method: 'GET', url: '/api/stats' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as StatsReport;
    expect(Object.keys(body).sort()).toEqual(['cameras', 'inference_ms', 'latency_ms', 'models', 'process', 'queue', 'time', 'uptime_s', 'window_s']);
    expect(Object.keys(body.cameras.front_door).sort()).toEqual([
      'analyzed_fps',
      'camera_fps',
      'detections_fps',
      'essential_fps',
      'motion_fps',
      'overloaded',
      'skipped_fps',
      'skipped_fps_by_reason',
      'totals',
    ]);
    expect(body.cameras.front_door.overloaded).toBe(false);
    expect(Object.keys(body.cameras.front_door.skipped_fps_by_reason)).toEqual(['busy', 'schedule', 'paused', 'failed', 'no_models']);
    // ?since=: the percentiles of what was measured since then (a run before it left out)
    stats.record('centernet', 30);
    const since = Date.now() + 60_000;
    expect((await app.inject({ method: 'GET', url: '/api/stats' })).json().models.centernet.inference_ms).toEqual({ p50: 30, p95: 30 });
    const later = (await app.inject({ method: 'GET', url: `/api/stats?since=${since}` })).json() as StatsReport;
    expect(later.models.centernet).toEqual({ runs: 1, inference_ms: { p50: null, p95: null } });
    const bad = await app.inject({ method: 'GET', url: '/api/stats?since=yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatch(/since/);
    const missing = await app.inject({ method: 'GET', url: '/api/stats/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: expect.any(String), error: expect.any(String) });
    await app.close();
  });
});
