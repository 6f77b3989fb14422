import { afterEach, describe, expect, it } from 'vitest';
import type { ArgusEvent } from '../../../src/events/event.js';
import { HomeAssistantClient } from '../../../src/outputs/homeassistant/ha-client.js';
import { resolveHaTarget, SUPERVISOR_WEBSOCKET_URL, websocketUrl } from '../../../src/outputs/homeassistant/ha-target.js';
import { homeAssistantSchema } from '../../../src/outputs/homeassistant/config.js';
import { HaStandIn } from '../../helpers/ha-server.js';
import { capturingLogger } from '../../helpers/log-lines.js';
import { waitUntil as until } from '../../helpers/argus-process.js';
import { snapshotLinks } from '../../../src/server/snapshot-links.js';
import { SnapshotSigner } from '../../../src/server/snapshot-signer.js';

const TOKEN = 'long-lived-token-abcdef0123456789';

const knife: ArgusEvent = {
  id: 'ev1',
  camera: 'front_door',
  kind: 'weapon',
  label: 'knife',
  sub_label: null,
  score: 0.81,
  top_score: 0.81,
  box: [10, 20, 30, 40],
  zones: ['porch'],
  start_time: 1_795_000_000.5,
  end_time: null,
  snapshot: 'events/ev1/snapshot.jpg',
  attributes: {},
};

describe('the Home Assistant websocket client, against a local server speaking HA’s protocol', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function setup(token = TOKEN, gate?: { entity: string; states: string[]; when_unknown: 'allow' | 'block' }) {
    const ha = await HaStandIn.start(TOKEN);
    const { logger, lines } = capturingLogger();
    const client = new HomeAssistantClient({
      url: ha.url,
      token,
      logger,
      alertGate: gate,
      snapshotUrl: snapshotLinks({ signer: new SnapshotSigner(Buffer.alloc(32, 5)), ttlSeconds: 3600, publicUrl: 'http://argus.local:8099' }),
      retryMs: 100,
    });
    cleanup.push(() => ha.stop());
    cleanup.push(() => client.stop());
    return { ha, client, lines };
  }

  it('fires argus_detection with the event data through the raw fire_event command', async () => {
    const { ha, client } = await setup();
    client.start();
    await until('connected', () => client.status === 'connected');
    expect(await client.fireDetection(knife)).toBe(true);
    expect(ha.fired).toHaveLength(1);
    expect(ha.fired[0].event_type).toBe('argus_detection');
    expect(ha.fired[0].event_data).toMatchObject({
      id: 'ev1',
      camera: 'front_door',
      kind: 'weapon',
      label: 'knife',
      score: 0.81,
      zones: ['porch'],
      snapshot_url: expect.stringMatching(/^http:\/\/argus\.local:8099\/api\/events\/ev1\/snapshot\.jpg\?exp=\d+&sig=[0-9a-f]{64}$/),
    });
  });

  it('gives a clear error for a wrong token, once, and stops trying', async () => {
    const { ha, client, lines } = await setup('wrong-token');
    client.start();
    await until('auth failure', () => client.status === 'auth_failed');
    expect(client.lastError).toMatch(/refused the access token.*long-lived access token/);
    await new Promise((r) => setTimeout(r, 500));
    expect(ha.authAttempts).toBe(1);
    expect(lines.join('')).not.toContain('wrong-token');
    expect(await client.fireDetection(knife)).toBe(false);
  });

  it('keeps retrying while Home Assistant is down at start, and connects when it comes up', async () => {
    const ha = await HaStandIn.start(TOKEN);
    const port = ha.port;
    await ha.stop();
    const { logger } = capturingLogger();
    const client = new HomeAssistantClient({ url: `ws://127.0.0.1:${port}/api/websocket`, token: TOKEN, logger, retryMs: 100 });
    cleanup.push(() => client.stop());
    client.start();
    await until('an error', () => client.lastError ?? undefined);
    expect(client.lastError).toMatch(/cannot reach Home Assistant/);
    const again = await HaStandIn.start(TOKEN, port);
    cleanup.push(() => again.stop());
    await until('connected', () => client.status === 'connected');
  });

  it('reconnects after the connection drops and fires again', async () => {
    const { ha, client } = await setup();
    client.start();
    await until('connected', () => client.status === 'connected');
    ha.dropConnections();
    await until('reconnected', () => client.status === 'connected' && ha.logins === 2);
    expect(await client.fireDetection({ ...knife, id: 'ev2' })).toBe(true);
    expect(ha.fired.map((f) => f.event_data.id)).toEqual(['ev2']);
  });

  it('opens the alert gate from live entity state (subscribe_entities), across a reconnect', async () => {
    const { ha, client } = await setup(TOKEN, { entity: 'alarm_control_panel.home', states: ['armed_away', 'armed_night'], when_unknown: 'block' });
    ha.setState('alarm_control_panel.home', 'disarmed');
    expect(client.gate()).toBe(false);
    client.start();
    await until('connected', () => client.status === 'connected');
    await new Promise((r) => setTimeout(r, 100));
    expect(client.gate()).toBe(false);
    ha.setState('alarm_control_panel.home', 'armed_away');
    await until('gate open', () => client.gate());
    ha.setState('alarm_control_panel.home', 'disarmed');
    await until('gate closed', () => !client.gate());
    ha.setState('alarm_control_panel.home', 'armed_night');
    await until('gate open', () => client.gate());
    ha.dropConnections();
    await until('reconnected', () => ha.logins === 2 && client.status === 'connected');
    await until('gate open after reconnect', () => client.gate());
  });

  it('lets alerts through without a gate, and while the gate entity is unknown when told to', async () => {
    const { client } = await setup(TOKEN, { entity: 'group.family', states: ['not_home'], when_unknown: 'allow' });
    expect(client.gate()).toBe(true);
    const plain = new HomeAssistantClient({ url: 'ws://127.0.0.1:1/api/websocket', token: TOKEN, logger: capturingLogger().logger });
    expect(plain.gate()).toBe(true);
    // The add-on's options always carry an alert_gate section: without an entity it is no gate.
    const empty = homeAssistantSchema.parse({ alert_gate: {} }).alert_gate;
    const ungated = new HomeAssistantClient({ url: 'ws://127.0.0.1:1/api/websocket', token: TOKEN, logger: capturingLogger().logger, alertGate: empty });
    expect(ungated.gate()).toBe(true);
    expect(() => homeAssistantSchema.parse({ alert_gate: { entity: 'group.family' } })).toThrow(/at least one state/);
  });
});

describe('where Home Assistant is', () => {
  it('uses the Supervisor proxy with SUPERVISOR_TOKEN inside the add-on', () => {
    expect(resolveHaTarget(undefined, { SUPERVISOR_TOKEN: 'sup' })).toEqual({ url: SUPERVISOR_WEBSOCKET_URL, token: 'sup', via: 'supervisor' });
    expect(resolveHaTarget(undefined, {})).toBeNull();
  });

  it('uses homeassistant.url and token standalone, and says what is missing', () => {
    const cfg = homeAssistantSchema.parse({ url: 'http://homeassistant.local:8123', token: 'abc' });
    expect(resolveHaTarget(cfg, { SUPERVISOR_TOKEN: 'sup' })).toEqual({ url: 'ws://homeassistant.local:8123/api/websocket', token: 'abc', via: 'config' });
    expect(() => resolveHaTarget(homeAssistantSchema.parse({ url: 'http://ha:8123' }), {})).toThrow(/long-lived access token/);
    expect(websocketUrl('https://ha.example.com/')).toBe('wss://ha.example.com/api/websocket');
    expect(websocketUrl('ws://ha:8123/api/websocket')).toBe('ws://ha:8123/api/websocket');
  });
});
