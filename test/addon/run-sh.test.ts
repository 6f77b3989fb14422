import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_BROKER } from '../../src/config/addon-options.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RUN_SH = join(ROOT, 'addon/run.sh');
/** The real `argus` command, from the sources, so the test never runs a stale build. */
const REAL_ARGUS = `node --import tsx ${join(ROOT, 'src/cli.ts')}`;
const hasShellcheck = spawnSync('sh', ['-c', 'command -v shellcheck']).status === 0;
const hasCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;

describe.skipIf(!hasShellcheck)('addon/run.sh, statically', () => {
  // Skipped where shellcheck is not installed (CI installs it).
  it('passes shellcheck', () => {
    const r = spawnSync('shellcheck', [RUN_SH], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.skipIf(!hasCurl)('addon/run.sh, run against a stand-in for the Supervisor’s services API', () => {
  // Skipped where curl is missing (the add-on base image has it).
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const requests: string[] = [];
  const authHeaders: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'argus-run-sh-'));
  const fake = join(dir, 'fake-argus.sh');
  const MOSQUITTO = {
    status: 200,
    body: { result: 'ok', data: { host: 'core-mosquitto', port: 1883, ssl: false, protocol: '3.1.1', username: 'addons', password: 's3cret pass' } },
  };
  const NO_SERVICE = { status: 400, body: { result: 'error', message: 'No mqtt service' } };

  beforeAll(async () => {
    // Stands in for `node dist/cli.js`: records its arguments and the MQTT environment.
    writeFileSync(
      fake,
      `#!/bin/sh\n{ echo "args=$*"; echo "url=$ARGUS_SUPERVISOR_MQTT_URL"; echo "user=$ARGUS_SUPERVISOR_MQTT_USER"; echo "password=$ARGUS_SUPERVISOR_MQTT_PASSWORD"; echo "plain_url=$ARGUS_MQTT_URL"; echo "data=$ARGUS_DATA_DIR"; } > "${dir}/out.txt"\n`,
    );
    chmodSync(fake, 0o755);
    server = createServer((req, res) => {
      requests.push(String(req.url));
      authHeaders.push(String(req.headers.authorization));
      if (req.url !== '/services/mqtt') return void res.writeHead(404).end();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function start(env: Record<string, string>): ChildProcess {
    return spawn('bash', [RUN_SH], { env: { PATH: process.env.PATH!, ARGUS_BIN: fake, ARGUS_DATA_DIR: dir, SUPERVISOR_URL: url, ...env } });
  }

  function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string; out: string }> {
    writeFileSync(join(dir, 'out.txt'), '');
    return new Promise((res) => {
      const child = start(env);
      let stderr = '';
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('exit', (code) => res({ code, stderr, out: readFileSync(join(dir, 'out.txt'), 'utf8') }));
    });
  }

  it('relays the Mosquitto add-on’s broker and credentials, and starts Argus on the options', async () => {
    answer = MOSQUITTO;
    const r = await run({ SUPERVISOR_TOKEN: 'sup-token' });
    expect(r.code).toBe(0);
    expect(authHeaders.at(-1)).toBe('Bearer sup-token');
    expect(r.out).toContain('args=run --options /data/options.json --wait-on-config-error');
    expect(r.out).toContain('url=mqtt://core-mosquitto:1883\n');
    expect(r.out).toContain('user=addons\n');
    expect(r.out).toContain('password=s3cret pass\n');
    // Relayed, not imposed: ARGUS_MQTT_URL would beat the options' own broker.
    expect(r.out).toContain('plain_url=\n');
    expect(r.stderr).toContain('the Mosquitto add-on offers mqtt://core-mosquitto:1883');
    expect(r.stderr).not.toContain('s3cret');
  });

  it('uses mqtts:// when the broker wants TLS', async () => {
    answer = { status: 200, body: { result: 'ok', data: { host: 'broker', port: 8883, ssl: true, username: 'u', password: 'p' } } };
    const r = await run({ SUPERVISOR_TOKEN: 'sup-token' });
    expect(r.out).toContain('url=mqtts://broker:8883\n');
  });

  it('without the Mosquitto add-on says so and starts Argus, which uses the broker options', async () => {
    answer = NO_SERVICE;
    const r = await run({ SUPERVISOR_TOKEN: 'sup-token', ARGUS_OPTIONS: '/data/options.json' });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('no Mosquitto add-on: Argus uses the broker named in its MQTT options');
    expect(r.out).toContain('args=run --options /data/options.json --wait-on-config-error');
    expect(r.out).toContain('url=\n');
  });

  it('outside the add-on (no SUPERVISOR_TOKEN) asks no Supervisor', async () => {
    const before = requests.length;
    const r = await run({});
    expect(r.code).toBe(0);
    expect(requests.length).toBe(before);
    expect(r.out).toContain('url=\n');
  });

  describe('with the real argus command', () => {
    /** Starts run.sh with the real CLI and waits for its first `argus:` line. */
    async function startReal(options: object, env: Record<string, string>) {
      const optionsPath = join(dir, `options-${Math.random()}.json`);
      writeFileSync(optionsPath, JSON.stringify(options));
      const port = await freePort();
      const child = start({ ARGUS_BIN: REAL_ARGUS, ARGUS_OPTIONS: optionsPath, ARGUS_ADDON_FILE: join(dir, 'no-argus.yml'), ARGUS_PORT: String(port), ...env });
      let stderr = '';
      let exit: number | null | undefined;
      child.on('exit', (code) => (exit = code));
      await new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`no argus: line; stderr so far: ${stderr}`)), 30_000);
        child.stderr!.on('data', (d) => {
          stderr += d;
          if (/^argus: .*\n/m.test(stderr)) {
            clearTimeout(timer);
            res();
          }
        });
      });
      return { child, port, optionsPath, stderr: () => stderr, exit: () => exit };
    }

    async function stop(child: ChildProcess): Promise<number | null> {
      if (child.exitCode !== null) return child.exitCode;
      return new Promise((res) => {
        child.on('exit', (code) => res(code));
        child.kill('SIGTERM');
      });
    }

    it('with neither Mosquitto nor broker options: one sentence in the log, then up and healthy, no restart loop', async () => {
      answer = NO_SERVICE;
      const argus = await startReal({ cameras: [], mqtt: { base_topic: 'argus' } }, { SUPERVISOR_TOKEN: 'sup-token' });
      try {
        const lines = argus
          .stderr()
          .split('\n')
          .filter((l) => l.startsWith('argus: '));
        expect(lines).toEqual([`argus: ${NO_BROKER}`]);
        // Still running: an exit, even with 0, is what the watchdog restarts.
        await new Promise((r) => setTimeout(r, 500));
        expect(argus.exit()).toBeUndefined();
        const health = await fetch(`http://127.0.0.1:${argus.port}/api/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ status: 'config_error', error: NO_BROKER });
        const panel = await fetch(`http://127.0.0.1:${argus.port}/`);
        expect(panel.status).toBe(503);
        expect(await panel.text()).toContain('install and start the Mosquitto broker add-on');
      } finally {
        expect(await stop(argus.child)).toBe(0);
      }
    });

    it('a bad option gives the same one line the standalone command prints', async () => {
      answer = MOSQUITTO;
      const bad = { cameras: [{ name: 'door', url: 'rtsp://admin:hunter2@cam/1', detect_fps: 0 }], mqtt: { base_topic: 'argus' } };
      const argus = await startReal(bad, { SUPERVISOR_TOKEN: 'sup-token' });
      try {
        const line = argus
          .stderr()
          .split('\n')
          .find((l) => l.startsWith('argus: '))!;
        expect(line).toBe(`argus: ${argus.optionsPath} is not valid: cameras.door.detect.fps: got 0; expected more than 0`);
        // The same command outside the add-on: the same line, then exit 78 (EX_CONFIG).
        const standalone = spawnSync('sh', ['-c', `${REAL_ARGUS} run --options ${argus.optionsPath}`], {
          encoding: 'utf8',
          env: { PATH: process.env.PATH!, ARGUS_ADDON_FILE: join(dir, 'no-argus.yml'), ARGUS_SUPERVISOR_MQTT_URL: 'mqtt://core-mosquitto:1883' },
        });
        expect(standalone.stderr.trim()).toBe(line);
        expect(standalone.status).toBe(78);
      } finally {
        expect(await stop(argus.child)).toBe(0);
      }
    });
  });
});
