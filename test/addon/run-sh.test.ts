import { spawnSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const RUN_SH = join(ROOT, 'addon/run.sh');
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

describe.skipIf(!hasCurl)('addon/run.sh, run against a stand-in for the Supervisor’s services API', () => {
  // Skipped where curl is missing (the add-on base image has it).
  let server: Server;
  let url: string;
  let answer: { status: number; body: unknown } = { status: 200, body: {} };
  const authHeaders: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'argus-run-sh-'));
  const fake = join(dir, 'fake-argus.sh');

  beforeAll(async () => {
    // Stands in for `node dist/cli.js`: records its arguments and the MQTT environment.
    writeFileSync(fake, `#!/bin/sh\n{ echo "args=$*"; echo "url=$ARGUS_MQTT_URL"; echo "user=$ARGUS_MQTT_USER"; echo "password=$ARGUS_MQTT_PASSWORD"; echo "data=$ARGUS_DATA_DIR"; } > "${dir}/out.txt"\n`);
    chmodSync(fake, 0o755);
    server = createServer((req, res) => {
      authHeaders.push(String(req.headers.authorization));
      if (req.url !== '/services/mqtt') return void res.writeHead(404).end();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string; out: string }> {
    writeFileSync(join(dir, 'out.txt'), '');
    return new Promise((res) => {
      const child = spawn('bash', [RUN_SH], { env: { PATH: process.env.PATH!, ARGUS_BIN: fake, ARGUS_DATA_DIR: dir, SUPERVISOR_URL: url, ...env } });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => res({ code, stderr, out: readFileSync(join(dir, 'out.txt'), 'utf8') }));
    });
  }

  it('reads the broker and its credentials from the Supervisor and starts Argus with the options file', async () => {
    answer = { status: 200, body: { result: 'ok', data: { host: 'core-mosquitto', port: 1883, ssl: false, protocol: '3.1.1', username: 'addons', password: 's3cret pass' } } };
    const r = await run({ SUPERVISOR_TOKEN: 'sup-token' });
    expect(r.code).toBe(0);
    expect(authHeaders.at(-1)).toBe('Bearer sup-token');
    expect(r.out).toContain('args=run --config /data/options.json');
    expect(r.out).toContain('url=mqtt://core-mosquitto:1883');
    expect(r.out).toContain('user=addons');
    expect(r.out).toContain('password=s3cret pass');
    expect(r.stderr).not.toContain('s3cret');
  });

  it('uses mqtts:// when the broker wants TLS', async () => {
    answer = { status: 200, body: { result: 'ok', data: { host: 'broker', port: 8883, ssl: true, username: 'u', password: 'p' } } };
    const r = await run({ SUPERVISOR_TOKEN: 'sup-token' });
    expect(r.out).toContain('url=mqtts://broker:8883');
  });

  it('stops with a sentence when the Supervisor has no MQTT broker to give', async () => {
    answer = { status: 400, body: { result: 'error', message: 'No mqtt service' } };
    const r = await run({ SUPERVISOR_TOKEN: 'sup-token' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/install and start the Mosquitto broker add-on/);
    expect(r.out).toBe('');
  });

  it('outside the add-on (no SUPERVISOR_TOKEN) starts Argus without touching MQTT settings', async () => {
    const r = await run({});
    expect(r.code).toBe(0);
    expect(r.out).toContain('url=\n');
  });
});
