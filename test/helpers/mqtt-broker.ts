import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { silentLogger } from '../../src/log.js';
import { EmbeddedBroker } from '../../src/outputs/mqtt/embedded-broker.js';

export interface TestBroker {
  url: string;
  kind: 'mosquitto' | 'aedes';
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1', () => {
        c.end();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listening on ${port} after ${timeoutMs} ms`);
}

const hasMosquitto = (): boolean => spawnSync('sh', ['-c', 'command -v mosquitto || test -x /usr/sbin/mosquitto']).status === 0;

/** A real broker for tests: Debian's mosquitto where installed (CI), else aedes in process. */
export async function startBroker(): Promise<TestBroker> {
  const port = await freePort();
  if (hasMosquitto()) {
    const bin = spawnSync('sh', ['-c', 'command -v mosquitto || echo /usr/sbin/mosquitto']).stdout.toString().trim();
    const child: ChildProcess = spawn(bin, ['-p', String(port)], { stdio: 'ignore' });
    await waitForPort(port);
    return {
      url: `mqtt://127.0.0.1:${port}`,
      kind: 'mosquitto',
      stop: () =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  const broker = new EmbeddedBroker({ port, logger: silentLogger() });
  const url = await broker.start();
  return { url, kind: 'aedes', stop: () => broker.stop() };
}
