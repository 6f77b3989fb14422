import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMotionClip } from '../helpers/clip-colours.js';
import { spawnArgus, waitUntil } from '../helpers/argus-process.js';
import { freePort, startBroker, type TestBroker } from '../helpers/mqtt-broker.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';

/** ffmpeg processes whose command line mentions `marker` (a temp dir unique to this test). */
function ffmpegChildrenWith(marker: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args']).toString().split('\n');
  return ps.filter((l) => l.includes('ffmpeg') && l.includes(marker));
}

describe('argus run, as a process', () => {
  let broker: TestBroker;
  const dir = mkdtempSync(join(tmpdir(), 'argus-run-'));
  const clip = join(dir, 'moving.mp4');

  beforeAll(async () => {
    broker = await startBroker();
    makeMotionClip(clip);
  });
  afterAll(async () => broker?.stop());

  async function start(name: string) {
    const port = await freePort();
    const deadPort = await freePort();
    const config = join(dir, `${name}.yml`);
    writeFileSync(
      config,
      `
cameras:
  lobby:
    url: ${clip}
    detect: { width: 320, height: 180, fps: 5 }
    motion: { min_area: 100 }
  broken:
    url: rtsp://admin:hunter2@127.0.0.1:${deadPort}/stream
mqtt:
  url: ${broker.url}
  base_topic: ${name}
server:
  port: ${port}
data_dir: ${join(dir, name)}
`,
    );
    const argus = spawnArgus(['--config', config], {});
    const watch = await MqttWatch.open(broker.url, `${name}/#`);
    return { argus, watch, port };
  }

  it('comes online, streams the file camera, reports the broken one, and leaves the last-will on SIGKILL', async () => {
    const { argus, watch, port } = await start('argus_kill');
    try {
      await watch.waitFor('argus_kill/available', 'online', 30_000);
      await watch.waitFor('argus_kill/lobby/available', 'online');
      await watch.waitFor('argus_kill/lobby/motion', 'ON');
      const token = (await import('node:fs')).readFileSync(join(dir, 'argus_kill', 'access-token'), 'utf8').trim();
      const headers = { authorization: `Bearer ${token}` };
      const statuses = await waitUntil('the broken camera to report its error', async () => {
        const list = (await (await fetch(`http://127.0.0.1:${port}/api/cameras`, { headers })).json()) as Array<{ name: string; lastError: string | null; connected: boolean }>;
        return list.find((c) => c.name === 'broken')?.lastError ? list : undefined;
      });
      const broken = statuses.find((c) => c.name === 'broken')!;
      expect(broken.connected).toBe(false);
      expect(broken.lastError).toMatch(/refused/i);
      expect(JSON.stringify(statuses)).not.toContain('hunter2');
      expect(statuses.find((c) => c.name === 'lobby')!.connected).toBe(true);
      const snap = await fetch(`http://127.0.0.1:${port}/api/cameras/lobby/snapshot.jpg`, { headers });
      const meta = await sharp(Buffer.from(await snap.arrayBuffer())).metadata();
      expect([meta.width, meta.height]).toEqual([320, 180]);
      expect(argus.output()).not.toContain('hunter2');
    } finally {
      argus.child.kill('SIGKILL');
      await argus.exited;
    }
    await watch.waitFor('argus_kill/available', 'offline', 10_000);
    await watch.close();

    // Started again: the crashed run left its camera online and moving, retained. Argus says
    // `online` only once its own states replaced those, so HA never shows them as current.
    const again = await start('argus_kill');
    try {
      await again.watch.waitFor('argus_kill/available', 'online', 60_000);
      const live = again.watch.messages.filter((m) => !m.retain).map((m) => `${m.topic} ${m.payload}`);
      const online = live.indexOf('argus_kill/available online');
      expect(live.indexOf('argus_kill/lobby/available offline')).toBeGreaterThanOrEqual(0);
      expect(live.indexOf('argus_kill/lobby/available offline')).toBeLessThan(online);
      expect(live.indexOf('argus_kill/lobby/motion OFF')).toBeGreaterThanOrEqual(0);
      expect(live.indexOf('argus_kill/lobby/motion OFF')).toBeLessThan(online);
    } finally {
      again.argus.child.kill('SIGKILL');
      await again.argus.exited;
      await again.watch.close();
    }
  });

  it('stops cleanly on SIGTERM: offline published, exit 0, no ffmpeg left behind', async () => {
    const { argus, watch } = await start('argus_term');
    await watch.waitFor('argus_term/lobby/available', 'online', 30_000);
    expect(ffmpegChildrenWith(dir).length).toBeGreaterThan(0);
    argus.child.kill('SIGTERM');
    expect(await argus.exited).toBe(0);
    await watch.waitFor('argus_term/available', 'offline', 5000);
    expect(watch.last('argus_term/lobby/available')).toBe('offline');
    // still, as the other states: a motion ON left retained stayed on in HA until the camera next moved
    expect(watch.last('argus_term/lobby/motion')).toBe('OFF');
    await waitUntil('ffmpeg children to be gone', () => ffmpegChildrenWith(dir).length === 0 || undefined, 5000);
    await watch.close();
  });

  it('refuses a broken config with the key named and exit code 78', async () => {
    const config = join(dir, 'bad.yml');
    writeFileSync(config, 'cameras:\n  door:\n    url: rtsp://x\n    detect: { fps: -1 }\n');
    const argus = spawnArgus(['--config', config], {});
    expect(await argus.exited).toBe(78);
    expect(argus.output()).toContain('cameras.door.detect.fps: got -1; expected more than 0');
  });
});

describe('argus with no config at all', () => {
  it('runs the demo camera with the embedded broker and shows it live', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argus-demo-'));
    const port = await freePort();
    const argus = spawnArgus([], { ARGUS_DATA_DIR: dir, ARGUS_PORT: String(port), ARGUS_MQTT_URL: '' });
    try {
      // The log names the token's file, never the token (issue 17).
      const tokenFile = await waitUntil('the web UI line', () => /web UI: http:\/\/localhost:\d+\/ \(the access token is in (\S+);/.exec(argus.output())?.[1], 60_000);
      const token = readFileSync(tokenFile, 'utf8').trim();
      expect(argus.output()).not.toContain(token);
      const brokerUrl = /embedded MQTT broker listening on (mqtt:\/\/[\d.:]+)/.exec(argus.output())![1];
      const watch = await MqttWatch.open(brokerUrl, 'argus/#');
      await watch.waitFor('argus/available', 'online');
      await watch.waitFor('argus/demo/available', 'online', 20_000);
      const res = await waitUntil('a demo snapshot', async () => {
        const r = await fetch(`http://127.0.0.1:${port}/api/cameras/demo/snapshot.jpg?token=${token}`);
        return r.status === 200 ? r : undefined;
      });
      const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 640, 360]);
      await watch.waitFor('argus/demo/motion', 'ON', 20_000);
      // Stopping with people in view ends their events on MQTT and turns the states off before `offline`.
      await watch.waitFor('argus/demo/person', 'ON', 60_000);
      argus.child.kill('SIGTERM');
      expect(await argus.exited).toBe(0);
      const events = watch.messages.filter((m) => m.topic === 'argus/events').map((m) => JSON.parse(m.payload) as { type: string; event: { id: string } });
      const started = new Set(events.filter((e) => e.type === 'start').map((e) => e.event.id));
      const ended = new Set(events.filter((e) => e.type === 'end').map((e) => e.event.id));
      expect(started.size).toBeGreaterThan(0);
      expect([...started].filter((id) => !ended.has(id))).toEqual([]);
      const at = (topic: string, payload: string) => watch.messages.map((m) => `${m.topic} ${m.payload}`).lastIndexOf(`${topic} ${payload}`);
      expect(watch.last('argus/demo/person')).toBe('OFF');
      expect(watch.last('argus/demo/person_count')).toBe('0');
      expect(at('argus/demo/person', 'OFF')).toBeLessThan(at('argus/available', 'offline'));
      await watch.close();
    } finally {
      if (argus.child.exitCode === null) argus.child.kill('SIGTERM');
      await argus.exited;
    }
  });
});
