import { spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { freePort } from './mqtt-broker.js'; // one free-port finder for all test servers

/**
 * A real RTSP server for tests: Debian's rtsp-server-perl, fed by ffmpeg publishing a looped clip
 * over UDP (the server refuses interleaved TCP from publishers). Clients read `url`.
 */
export interface RtspServer {
  url: string;
  clientPort: number;
  /** Kills server and publisher; the ports stay reserved for start() to reuse. */
  kill(): Promise<void>;
  /** Starts (again) on the same ports and waits until the stream can be read. */
  start(): Promise<void>;
}

export const RTSP_SERVER_BIN = 'rtsp-server-perl';

export async function startRtspServer(clip: string, path = 'cam'): Promise<RtspServer> {
  const clientPort = await freePort();
  const sourcePort = await freePort();
  // RTP ports are UDP and allocated upward from here; spread them so parallel tests don't meet.
  const rtpStart = 20_000 + 2 * Math.floor(Math.random() * 15_000);
  let server: ChildProcess | undefined;
  let publisher: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    server = spawn(RTSP_SERVER_BIN, ['-c', String(clientPort), '-s', String(sourcePort), '--rtp_start_port', String(rtpStart), '-l', '1'], { stdio: 'ignore' });
    await waitFor(() => portOpen(sourcePort), `rtsp-server-perl on port ${sourcePort}`);
    publisher = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-stream_loop', '-1', '-i', clip, '-an', '-c', 'copy', '-f', 'rtsp', `rtsp://127.0.0.1:${sourcePort}/${path}`],
      { stdio: 'ignore' },
    );
    // The server answers DESCRIBE with 200 only once the publisher has announced the stream.
    await waitFor(() => describeOk(clientPort, path), `the RTSP stream on port ${clientPort}`);
  };
  const kill = async (): Promise<void> => {
    await Promise.all([stopChild(publisher), stopChild(server)]);
    publisher = server = undefined;
  };
  await start();
  return { url: `rtsp://127.0.0.1:${clientPort}/${path}`, clientPort, kill, start };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

/** Sends one line over TCP and resolves with the first reply chunk ('' when the port is shut). */
function exchange(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.setTimeout(2000, () => {
      sock.destroy();
      resolve('');
    });
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString());
    });
    sock.once('error', () => resolve(''));
    sock.once('connect', () => sock.write(text));
    sock.connect(port, '127.0.0.1');
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = new Socket();
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
    sock.connect(port, '127.0.0.1');
  });
}

async function describeOk(port: number, path: string): Promise<boolean> {
  const reply = await exchange(port, `DESCRIBE rtsp://127.0.0.1:${port}/${path} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n\r\n`);
  return /^RTSP\/1\.0 200/.test(reply);
}

function stopChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
