import { parseArgs } from 'node:util';
import { cameraUrlProblem } from '../config/camera-url-check.js';
import { redactSecrets, urlSecrets } from '../config/redact.js';
import { findFfmpeg } from '../sources/ffmpeg-path.js';
import { probeCamera } from '../sources/probe.js';

const USAGE = `usage: argus test-camera <url> [--input-args "-rtsp_transport tcp"] [--ffmpeg <path>] [--timeout <seconds>]

Connects to the camera once, decodes one frame and prints its resolution, codec and frame rate,
or the reason it could not. Exit code 0 when the camera works, 1 when it does not.`;

export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      // "--input-args -rtsp_transport tcp" would read as a missing value: bind it with "=".
      args: bindInputArgs(args),
      allowPositionals: true,
      options: {
        'input-args': { type: 'string' },
        ffmpeg: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    console.error(`argus test-camera: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`argus test-camera: give exactly one camera URL\n\n${USAGE}`);
    return 2;
  }
  const url = positionals[0].trim();
  if (url === '') {
    console.error(`argus test-camera: the camera URL is empty; give one such as rtsp://user:password@host:554/stream1\n\n${USAGE}`);
    return 2;
  }
  // As the config says it at start: "rtps://" and a URL without a host can never work.
  const problem = cameraUrlProblem(url);
  if (problem) {
    console.log(`${redactSecrets(url, urlSecrets(url))}: FAILED\n  not a camera URL Argus can use: expected ${problem}`);
    return 1;
  }
  const timeout = values.timeout ? Number(values.timeout) : 15;
  if (!(timeout > 0)) {
    console.error(`argus test-camera: --timeout must be a number of seconds above 0, got "${values.timeout}"`);
    return 2;
  }
  let ffmpegPath: string;
  try {
    ffmpegPath = findFfmpeg(values.ffmpeg);
  } catch (err) {
    console.error(`argus test-camera: ${(err as Error).message}`);
    return 1;
  }
  const inputArgs = values['input-args']?.split(/\s+/).filter(Boolean);
  const result = await probeCamera(url, { ffmpegPath, inputArgs, timeoutMs: timeout * 1000 });
  const shown = redactSecrets(url, urlSecrets(url));
  if (result.ok) {
    console.log(
      `${shown}: OK\n  resolution ${result.width}x${result.height}\n  codec      ${result.codec}\n  fps        ${result.fps || 'unknown (the stream does not say; the Cameras page measures it once Argus reads it)'}`,
    );
    return 0;
  }
  console.log(`${shown}: FAILED\n  ${result.reason}`);
  return 1;
}

function bindInputArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--input-args' && i + 1 < args.length) out.push(`--input-args=${args[++i]}`);
    else out.push(args[i]);
  }
  return out;
}
