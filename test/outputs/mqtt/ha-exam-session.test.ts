import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventKinds } from '../../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../../src/analyzers/list.js';
import { ProctorSessions } from '../../../src/analyzers/proctor/sessions.js';
import { EventBus } from '../../../src/bus.js';
import { silentLogger } from '../../../src/log.js';
import { MqttConnection } from '../../../src/outputs/mqtt/connection.js';
import { HomeAssistantMqtt } from '../../../src/outputs/mqtt/ha-mqtt.js';
import { openDatabase } from '../../../src/store/database.js';
import { waitUntil as until } from '../../helpers/argus-process.js';
import { startBroker, type TestBroker } from '../../helpers/mqtt-broker.js';
import { MqttWatch } from '../../helpers/mqtt-watch.js';

describe('the "Exam session" switch over MQTT, against a real broker', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startBroker();
  });
  afterAll(async () => broker?.stop());

  it('is announced on proctored cameras only, starts and stops the session, and follows sessions started elsewhere', async () => {
    const kinds = new EventKinds(ANALYZERS);
    const sessions = new ProctorSessions();
    const mqtt = new MqttConnection({ url: broker.url, baseTopic: 'ex', logger: silentLogger() });
    const ha = new HomeAssistantMqtt({
      mqtt,
      bus: new EventBus(),
      db: openDatabase(join(mkdtempSync(join(tmpdir(), 'argus-exam-switch-')), 'argus.db')),
      cameras: ['exam', 'door'],
      cameraKinds: { exam: kinds.raisedBy(['person', 'proctor']), door: kinds.raisedBy(['person']) },
      kinds,
      discoveryPrefix: 'ex_ha',
      version: '9.9.9',
      logger: silentLogger(),
      onPause: () => {},
      loadSnapshot: async () => undefined,
      switches: { exam_session: sessions.switchControl('Home Assistant') },
    });
    const w = await MqttWatch.open(broker.url, 'ex/#');
    const discovery = await MqttWatch.open(broker.url, 'ex_ha/#');
    const pub = new MqttConnection({ url: broker.url, baseTopic: 'commander', logger: silentLogger() });
    try {
      mqtt.start();
      ha.start();
      pub.start();
      await until('connections', () => mqtt.connected && pub.connected);
      await w.waitFor('ex/exam/exam_session', 'OFF');
      const config = (camera: string) =>
        until(`${camera}'s config`, () => {
          const m = discovery.messages.find((x) => x.topic === `ex_ha/device/ex_${camera}/config`);
          return m ? JSON.parse(m.payload) : undefined;
        });
      expect((await config('exam')).cmps.ex_exam_exam_session).toMatchObject({
        p: 'switch',
        name: 'Exam session',
        state_topic: 'ex/exam/exam_session',
        command_topic: 'ex/exam/exam_session/set',
      });
      expect((await config('door')).cmps).not.toHaveProperty('ex_door_exam_session');

      pub.publishExternal('ex/exam/exam_session/set', 'ON', { qos: 1 });
      await w.waitFor('ex/exam/exam_session', 'ON');
      expect(sessions.active('exam')).toMatchObject({ camera: 'exam', name: 'Home Assistant' });
      // a camera without the proctor has no switch: its command starts nothing
      pub.publishExternal('ex/door/exam_session/set', 'ON', { qos: 1 });
      pub.publishExternal('ex/exam/exam_session/set', 'maybe', { qos: 1 });
      // stopped over the API: the switch follows
      sessions.stop('exam');
      await w.waitFor('ex/exam/exam_session', 'OFF');
      expect(sessions.active('door')).toBeNull();
      expect(w.messages.some((m) => m.topic === 'ex/door/exam_session')).toBe(false);
      expect(sessions.list()).toHaveLength(1);
    } finally {
      ha.stop();
      await Promise.all([mqtt.stop(), pub.stop(), w.close(), discovery.close()]);
    }
  });
});
