/**
 * `npm run test:addon`: the add-on image built from the Dockerfile without Docker, and run.
 *
 * rootfs-build.ts builds the Dockerfile's stages in chroots of a debootstrapped Debian (the
 * release of the base image's tag), cached in .cache/addon-rootfs; the build stage is this
 * checkout's own dist/ and models/ (the same `npm ci` made them). Then the image's CMD (run.sh)
 * runs in a chroot with a /data/options.json, a stand-in Supervisor answering the MQTT service
 * with a local broker, and a stand-in Telegram Bot API, all on loopback.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { waitUntil } from '../helpers/argus-process.js';
import { freePort, startBroker, type TestBroker } from '../helpers/mqtt-broker.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';
import { TelegramBotApiStandIn } from '../helpers/telegram-bot-api.js';
import { FIXTURES, syntheticDataset } from '../train/synthetic-dataset.js';
import { startAddon, type AddonFolders, type AddonProcess } from './addon-process.js';
import { baseUnavailable } from './base-rootfs.js';
import { chrootRun } from './chroot.js';
import { debianRelease, readDockerfile, ROOT } from './dockerfile-model.js';
import { RootfsBuilder, type BuiltStage } from './rootfs-build.js';
import { SupervisorStandIn } from './supervisor-stand-in.js';
import { treeSize } from './tree-size.js';

const dockerfile = readDockerfile();
const CACHE = join(ROOT, '.cache/addon-rootfs/amd64');
const SHARED_CLIP = resolve(ROOT, '../shared/fixtures/video/short_hamilton_clip.mp4');
const hasClip = existsSync(SHARED_CLIP);
const hasFixtures = existsSync(FIXTURES);
const unavailable = await baseUnavailable(debianRelease(dockerfile.stages.at(-1)!.from));
const t0 = Date.now();
const log = (line: string): void => console.info(`[test:addon ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)} s] ${line}`);

/** The build stage is this checkout: its dist/ must be built from its src/. */
function checkoutBuilt(): string | undefined {
  const newest = (dir: string): number => {
    let t = 0;
    for (const name of readdirSync(dir, { recursive: true }) as string[]) t = Math.max(t, statSync(join(dir, name)).mtimeMs);
    return t;
  };
  if (!existsSync(join(ROOT, 'dist/cli.js')) || newest(join(ROOT, 'src')) > newest(join(ROOT, 'dist'))) return 'dist/ is older than src/: run `npm run build`';
  const manifest = JSON.parse(readFileSync(join(ROOT, 'models/manifest.json'), 'utf8')) as { models: Array<{ file: string }> };
  const missing = manifest.models.filter((m) => !existsSync(join(ROOT, 'models', m.file)));
  if (missing.length) return `models/ lacks ${missing.map((m) => m.file).join(', ')}: run \`node dist/cli.js models build\``;
  return undefined;
}

const SKIP = unavailable ? ` (skipped: ${unavailable})` : '';
let image: BuiltStage;
/** The tests' folders under the system's temp folder, removed at the end (each run left ~15 MB). */
const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(Boolean(unavailable))(`the add-on image, built from the Dockerfile in a chroot${SKIP}`, () => {
  beforeAll(async () => {
    const stale = checkoutBuilt();
    if (stale) throw new Error(stale);
    const builder = new RootfsBuilder(dockerfile, { cacheDir: CACHE, arch: 'amd64', hostStages: { build: { '/app': ROOT } }, log });
    image = await builder.build(dockerfile.stages.at(-1)!);
    log(`image built: ${image.root}`);
    builder.prune();
    log('unused cached layers removed');
  }, 600_000);

  describe('as files', () => {
    it('keeps the runtime tree (Node and /app) within 500 MB, and says what the whole root filesystem weighs', () => {
      const app = treeSize(join(image.root, 'app'));
      const node = treeSize(join(image.root, 'usr/local/bin/node'));
      const whole = treeSize(image.root);
      const mb = (b: number): string => `${(b / 1e6).toFixed(0)} MB`;
      log(`runtime tree: ${mb(app + node)} (/app ${mb(app)}, node ${mb(node)}); whole root filesystem ${mb(whole)}, of which Debian and its ffmpeg ${mb(whole - app - node)}`);
      expect(app + node).toBeLessThanOrEqual(500e6);
      // Nothing that only builds: no human-models, tfjs, face-api, ffmpeg-installer, compilers.
      const modules = readdirSync(join(image.root, 'app/node_modules'));
      expect(modules.filter((m) => ['@vladmandic', '@tensorflow', '@ffmpeg-installer'].includes(m))).toEqual([]);
      // The statistics page's chart library is served from production node_modules (src/server/routes/vendor.ts).
      expect(existsSync(join(image.root, 'app/node_modules/uplot/dist/uPlot.esm.js'))).toBe(true);
      expect(existsSync(join(image.root, 'usr/bin/gcc'))).toBe(false);
      expect(readdirSync(join(image.root, 'app/node_modules/onnxruntime-node/bin/napi-v6'))).toEqual(['linux']);
      expect(readdirSync(join(image.root, 'app/node_modules/onnxruntime-node/bin/napi-v6/linux'))).toEqual(['x64']);
    });

    it('has a Node that loads onnxruntime-node, sharp and better-sqlite3 and runs each', async () => {
      const script = `
        const ort = require('onnxruntime-node');
        const sharp = require('sharp');
        const Database = require('better-sqlite3');
        (async () => {
          const s = await ort.InferenceSession.create('/app/models/movenet-lightning.onnx');
          const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#ff0000' } }).png().toBuffer();
          const meta = await sharp(png).metadata();
          const db = new Database(':memory:');
          console.log(JSON.stringify({ node: process.version, inputs: s.inputNames, png: [meta.format, meta.width, meta.height], sqlite: db.prepare('select sqlite_version() v').get().v }));
        })().catch((e) => { console.error(e); process.exit(1); });`;
      const r = await chrootRun({ root: image.root, argv: ['node', '-e', script], env: image.env, cwd: image.workdir, mounts: [{ target: '/proc', kind: 'proc' }] });
      expect(r.code, r.output).toBe(0);
      const out = JSON.parse(r.output.trim().split('\n').at(-1)!) as { node: string; inputs: string[]; png: unknown[]; sqlite: string };
      const nodeArg = dockerfile.stages.flatMap((s) => s.instructions).find((i) => i.keyword === 'ARG' && i.args.startsWith('NODE_VERSION='))!;
      expect(out.node).toBe(`v${nodeArg.args.split('=')[1]}`);
      expect(out.inputs.length).toBeGreaterThan(0);
      expect(out.png).toEqual(['png', 4, 3]);
      expect(out.sqlite).toMatch(/^3\.\d+\.\d+$/);
    });

    it('draws a snapshot caption’s text with the image’s own font (DejaVu Sans)', async () => {
      // The event snapshots' captions (src/events/caption-masks.ts) ask for DejaVu Sans: the image installs it.
      const script = `
        import('/app/dist/events/caption-masks.js').then(async ({ CaptionMasks }) => {
          const m = await new CaptionMasks().mask('person 87%', 15);
          console.log(JSON.stringify({ width: m.width, ink: m.alpha.reduce((n, a) => n + (a > 128 ? 1 : 0), 0) }));
        }).catch((e) => { console.error(e); process.exit(1); });`;
      const fonts = await chrootRun({ root: image.root, argv: ['sh', '-c', 'ls /usr/share/fonts/truetype/dejavu/'], env: image.env, cwd: image.workdir });
      expect(fonts.output).toContain('DejaVuSans.ttf');
      const r = await chrootRun({ root: image.root, argv: ['node', '-e', script], env: image.env, cwd: image.workdir, mounts: [{ target: '/proc', kind: 'proc' }] });
      expect(r.code, r.output).toBe(0);
      const out = JSON.parse(r.output.trim().split('\n').at(-1)!) as { width: number; ink: number };
      expect(out.width).toBeGreaterThan(50); // ten characters at 15 px
      expect(out.ink).toBeGreaterThan(100);
    });

    it('has the demo camera’s photos without @vladmandic/face-api (a first start with no cameras)', async () => {
      const script = "import('/app/dist/demo/demo-clip.js').then((m) => console.log(JSON.stringify(m.demoPhotos())))";
      const r = await chrootRun({ root: image.root, argv: ['node', '-e', script], env: image.env, cwd: image.workdir });
      expect(r.code, r.output).toBe(0);
      const photos = JSON.parse(r.output.trim().split('\n').at(-1)!) as string[];
      expect(photos).toHaveLength(6);
      expect(photos.every((p) => p.startsWith('/app/demo/'))).toBe(true);
    });
  });

  describe.skipIf(!hasFixtures)('teaching it a class of its own (docs/weapons.md)', () => {
    it('trains a head with argus train objects inside the image, and argus analyze merges it', async () => {
      // The household's labelled folder under /share, as the add-on maps it; the head goes to /data/heads.
      const share = tempDir('argus-addon-share-');
      const data = tempDir('argus-addon-train-data-');
      await syntheticDataset(join(share, 'target'));
      const mounts = [
        { target: '/proc', kind: 'proc' as const },
        { target: '/share', kind: { bind: share, readOnly: true } },
        { target: '/data', kind: { bind: data } },
      ];
      const cli = (args: string[]) =>
        chrootRun({ root: image.root, argv: ['node', '/app/dist/cli.js', ...args], env: { ...image.env, ARGUS_DATA_DIR: '/data' }, cwd: image.workdir, mounts });
      const trained = await cli(['train', 'objects', '--data', '/share/target', '--name', 'target', '--epochs', '3']);
      expect(trained.code, trained.output).toBe(0);
      expect(trained.output).toMatch(/wrote \/data\/heads\/target\.head\.json/);
      expect(trained.output).toMatch(/target +AP@0\.5 \d\.\d{3}/);
      expect(trained.output).toMatch(/models: \{ objects: \{ heads: \[\/data\/heads\/target\.head\.json\] \} \}/);
      const head = JSON.parse(readFileSync(join(data, 'heads/target.head.json'), 'utf8')) as { classes: string[] };
      expect(head.classes).toEqual(['target']);
      const analyzed = await cli(['analyze', '--json', '--models', 'objects', '--heads', '/data/heads/target.head.json', '/share/target/valid/images/img1.jpg']);
      expect(analyzed.code, analyzed.output).toBe(0);
      expect(JSON.parse(analyzed.output.trim().split('\n').at(-1)!)).toMatchObject({ file: 'img1.jpg', width: 320, height: 240 });
      log(
        `trained in the image: ${trained.output
          .split('\n')
          .find((l) => l.includes('AP@0.5'))
          ?.trim()}`,
      );
    }, 180_000);
  });

  describe('running: run.sh with a Supervisor, a broker and Telegram on loopback', () => {
    const telegram = new TelegramBotApiStandIn();
    const FAMILY = 4242;
    let broker: TestBroker;
    let supervisor: SupervisorStandIn;
    let watch: MqttWatch;
    let addon: AddonProcess;
    let port: number;
    let folders: AddonFolders;

    beforeAll(async () => {
      broker = await startBroker();
      const brokerPort = Number(new URL(broker.url).port);
      supervisor = new SupervisorStandIn('supervisor-token-for-the-test', { host: '127.0.0.1', port: brokerPort, ssl: false, username: 'addons', password: 'mqtt-pass' });
      const supervisorUrl = await supervisor.start();
      await telegram.start();
      watch = await MqttWatch.open(broker.url);
      port = await freePort();
      const dir = tempDir('argus-addon-');
      folders = { data: join(dir, 'data'), media: join(dir, 'media'), config: join(dir, 'config') };
      mkdirSync(join(folders.media, 'argus'), { recursive: true });
      placeClip(join(folders.media, 'argus/clip.mp4'));
      mkdirSync(folders.data, { recursive: true });
      writeFileSync(join(folders.data, 'options.json'), JSON.stringify(addonOptions(telegram, FAMILY)));
      // ARGUS_PORT: the chroot shares the host's network, where 8099 may be taken.
      addon = startAddon(image, folders, { SUPERVISOR_TOKEN: supervisor.token, SUPERVISOR_URL: supervisorUrl, ARGUS_PORT: String(port) });
    }, 60_000);

    afterAll(async () => {
      await addon?.stop();
      log(`add-on output (last lines):\n${addon?.output().split('\n').slice(-15).join('\n')}`);
      await watch?.close();
      await telegram.stop();
      await supervisor?.stop();
      await broker?.stop();
    });

    it('reads the broker from the Supervisor’s services API with its token', async () => {
      await waitUntil('run.sh to ask the Supervisor', () => supervisor.requests.find((r) => r.url === '/services/mqtt'), 30_000);
      expect(supervisor.requests.every((r) => r.authorization === `Bearer ${supervisor.token}`)).toBe(true);
      await waitUntil('the add-on to log its broker', () => addon.output().includes(`mqtt://127.0.0.1:${new URL(broker.url).port}`) || undefined, 30_000);
    });

    it('answers /api/health, and the Dockerfile’s HEALTHCHECK passes', async () => {
      const res = await waitUntil(
        '/api/health',
        async () => {
          const r = await fetch(`http://127.0.0.1:${port}/api/health`);
          return r.ok ? r : undefined;
        },
        120_000,
      );
      expect(res.headers.get('content-type')).toMatch(/json/);
      // The HEALTHCHECK probes the ingress port; here the add-on listens on `port`.
      expect(image.healthcheck).toMatch(/:8099\//);
      const check = await chrootRun({ root: image.root, argv: [...image.shell, image.healthcheck!.replace(':8099/', `:${port}/`)], env: image.env });
      expect(check.code, check.output).toBe(0);
    }, 150_000);

    it('announces the camera to Home Assistant by MQTT discovery', async () => {
      const config = await waitUntil(
        'a discovery config for the camera',
        () => watch.messages.find((m) => m.topic.startsWith('homeassistant/') && m.topic.endsWith('/config') && m.payload.includes('stage')),
        120_000,
      );
      // Device-based discovery, in HA's abbreviated keys or in full.
      const payload = JSON.parse(config.payload) as Record<string, Record<string, unknown> | undefined>;
      expect(payload.dev ?? payload.device).toBeDefined();
      expect(Object.keys(payload.cmps ?? payload.components ?? {}).length).toBeGreaterThan(0);
      // Retained, so Home Assistant finds it whenever it subscribes.
      const late = await MqttWatch.open(broker.url, config.topic);
      try {
        await waitUntil('the retained config for a late subscriber', () => late.messages.find((m) => m.retain && m.payload === config.payload), 10_000);
      } finally {
        await late.close();
      }
    }, 150_000);

    it('decodes the file camera under /media (frames per second on MQTT)', async () => {
      const fps = await waitUntil(
        'argus/stage/fps above 0',
        () => {
          const v = Number(watch.last('argus/stage/fps'));
          return v > 0 ? v : undefined;
        },
        120_000,
      );
      expect(fps).toBeGreaterThan(0);
      expect(watch.last('argus/stage/available')).toBe('online');
    }, 150_000);

    it.skipIf(!hasClip)(
      `sends the person on the camera to Telegram as a photo${hasClip ? '' : ' (skipped: ../shared/fixtures/video is absent)'}`,
      async () => {
        const photo = await waitUntil('a sendPhoto to the family chat', () => telegram.sent('sendPhoto', FAMILY)[0], 240_000);
        const meta = await sharp(photo.photo!).metadata();
        expect(meta.format).toBe('jpeg');
        expect(String(photo.params.caption)).toMatch(/stage/i);
        expect(addon.output()).not.toContain(telegram.token);
        expect(addon.output()).not.toContain('mqtt-pass');
      },
      260_000,
    );
  });

  describe('with a mistake in its options', () => {
    it('prints what the standalone CLI prints, stays up with a healthy config_error answer (no watchdog restart loop), and stops cleanly', async () => {
      const dir = tempDir('argus-addon-bad-');
      const folders = { data: join(dir, 'data'), media: join(dir, 'media'), config: join(dir, 'config') };
      mkdirSync(folders.data, { recursive: true });
      const options = { ...manifestOptions(), log_level: 'loud' };
      writeFileSync(join(folders.data, 'options.json'), JSON.stringify(options));
      // The same file through the standalone CLI on the host: the sentence to expect.
      // (`--options` reads it as the add-on does; a broker URL stands in for the Supervisor's, never contacted.)
      const cli = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'run', '--options', join(folders.data, 'options.json')], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ARGUS_MQTT_URL: 'mqtt://127.0.0.1:9', ARGUS_ADDON_FILE: join(folders.config, 'argus.yml') },
      });
      const sentence = cli.stderr.trim();
      expect(sentence).toMatch(/log_level/);
      expect(sentence).toContain('"loud"');

      const supervisor = new SupervisorStandIn('supervisor-token-for-the-test', { host: '127.0.0.1', port: await freePort(), ssl: false, username: 'addons', password: 'pw' });
      const port = await freePort();
      const addon = startAddon(image, folders, { SUPERVISOR_TOKEN: supervisor.token, SUPERVISOR_URL: await supervisor.start(), ARGUS_PORT: String(port) });
      try {
        const expected = sentence.replace(join(folders.data, 'options.json'), '/data/options.json').replace(/^argus: /, '');
        await waitUntil('the sentence in the add-on log', () => addon.output().includes(expected) || undefined, 60_000);
        // The Supervisor's watchdog polls the health URL: it must answer, saying what is wrong.
        const health = await waitUntil(
          'the config_error health answer',
          async () => {
            const r = await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined);
            return r?.ok ? ((await r.json()) as { status: string; error: string }) : undefined;
          },
          30_000,
        );
        expect(health.status).toBe('config_error');
        expect(health.error).toContain('log_level');
        expect(addon.child.exitCode).toBeNull();
        expect(addon.output()).not.toMatch(/^\s+at /m);
      } finally {
        await addon.stop();
        await supervisor.stop();
      }
      expect(await addon.exited).toBe(0);
    }, 90_000);
  });
});

function manifestOptions(): Record<string, unknown> {
  return (parseYaml(readFileSync(join(ROOT, 'config.yaml'), 'utf8')) as { options: Record<string, unknown> }).options;
}

/**
 * /data/options.json as the Supervisor writes it: config.yaml's defaults, a file camera, and
 * Telegram pointed at the stand-in (cameras as a list with `name`, the current option format).
 */
function addonOptions(telegram: TelegramBotApiStandIn, chat: number): Record<string, unknown> {
  return {
    ...manifestOptions(),
    cameras: [{ name: 'stage', url: '/media/argus/clip.mp4' }],
    // Not an add-on option: the chroot shares the host's network, and tests stay on loopback.
    server: { host: '127.0.0.1' },
    telegram: { token: telegram.token, api_root: telegram.apiRoot, group_window: 1, chats: [{ id: chat, name: 'family', kinds: ['person', 'unknown_face', 'known_face'] }] },
  };
}

/** The shared clip of people where it exists (never committed); else a clip made here, frames only. */
function placeClip(to: string): void {
  if (hasClip) {
    copyFileSync(SHARED_CLIP, to);
    return;
  }
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=10', '-t', '6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', to]);
  if (r.status !== 0) throw new Error(`could not make a test clip: ${r.stderr}`);
}
