import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventMessage } from '../../src/events/event.js';
import { spawnArgus, waitUntil } from '../helpers/argus-process.js';
import { freePort, startBroker, type TestBroker } from '../helpers/mqtt-broker.js';
import { MqttWatch } from '../helpers/mqtt-watch.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FIXTURES = resolve(ROOT, '../shared/fixtures');
const CLIP = join(FIXTURES, 'video/short_hamilton_clip.mp4');
const KNOWN = join(FIXTURES, 'faces/known');
const MODELS_BUILT = existsSync(join(ROOT, 'models/faceres.onnx'));

/**
 * Where each person's face is in the 640×360 clip (measured frame by frame, see docs/faces.md):
 * Lin-Manuel Miranda on stage at x ≈ 140–300 (close up, 3.5–7.6 s) or ≈ 520–570 (far, 0–1.4 s);
 * Barack Obama in the audience at x ≈ 300–360 (7.8 s to the end), Michelle Obama beside him at ≈ 370–420.
 */
const centreX = (box: number[]) => (box[0] + box[2]) / 2;
const isLinsPlace = (x: number) => (x >= 120 && x <= 320) || (x >= 500 && x <= 590);
const isObamasPlace = (x: number) => x >= 300 && x <= 365;

describe.skipIf(!existsSync(CLIP) || !MODELS_BUILT)('faces recognised on a live camera (needs ../shared/fixtures and built models)', () => {
  let broker: TestBroker;
  const dir = mkdtempSync(join(tmpdir(), 'argus-faces-live-'));
  const faceEvents: EventMessage[] = [];

  beforeAll(async () => {
    broker = await startBroker();
    // Enrol first, with the real CLI, into the data dir the run will use.
    const cli = (args: string[]) => execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli.ts'), 'faces', ...args, '--data', dir], { cwd: ROOT }).toString();
    cli(['add', 'lin_manuel_miranda', join(KNOWN, 'lin_manuel_miranda/1.png')]);
    cli(['add', 'barack_obama', join(KNOWN, 'barack_obama/1.jpg'), join(KNOWN, 'barack_obama/2.jpg')]);
    expect(cli(['list'])).toMatch(/barack_obama[\s\S]*lin_manuel_miranda|lin_manuel_miranda[\s\S]*barack_obama/);

    const config = join(dir, 'argus.yml');
    writeFileSync(
      config,
      `
cameras:
  stage:
    url: ${CLIP}
    detect: { width: 640, height: 360, fps: 5 }
    analyzers: { pose: { enabled: false }, weapon: { enabled: false } }
mqtt: { url: ${broker.url}, base_topic: faces_live }
server: { port: ${await freePort()} }
data_dir: ${dir}
`,
    );
    const argus = spawnArgus(['--config', config], {});
    const watch = await MqttWatch.open(broker.url, 'faces_live/events');
    try {
      // Two passes of the 9.8 s clip (it loops), as a live camera would show them.
      await waitUntil('argus to come up', () => argus.output().includes('web UI'), 60_000);
      await new Promise((r) => setTimeout(r, 24_000));
    } finally {
      argus.child.kill('SIGTERM');
      await argus.exited;
      await new Promise((r) => setTimeout(r, 500));
      await watch.close();
    }
    for (const m of watch.messages) {
      const message = JSON.parse(m.payload) as EventMessage;
      if (message.event.kind === 'face') faceEvents.push(message);
    }
  }, 150_000);
  afterAll(async () => broker?.stop());

  it('names Lin-Manuel Miranda, if at all, only where he is on stage', () => {
    // At the calibrated threshold (0.71) his close-up (0.54–0.74 against his one photo) clears it in
    // about one frame of eight, and a name needs two frames in a row: usually he is not named
    // (docs/faces.md#results-wrong-and-missed-names-before-and-after). What must hold is that no one else is named as him.
    const lin = faceEvents.filter((m) => m.event.sub_label === 'lin_manuel_miranda');
    for (const m of lin) expect(isLinsPlace(centreX(m.event.box)), `Lin named at x=${centreX(m.event.box)}`).toBe(true);
  });

  it('gives nobody else either name, and names no one who is not enrolled', () => {
    const named = faceEvents.filter((m) => m.event.sub_label);
    for (const m of named) {
      expect(['lin_manuel_miranda', 'barack_obama']).toContain(m.event.sub_label);
      if (m.event.sub_label === 'barack_obama') expect(isObamasPlace(centreX(m.event.box)), `Obama named at x=${centreX(m.event.box)}`).toBe(true);
    }
    // The audience (Michelle Obama and others) stays unknown: there are unknown face events too.
    expect(faceEvents.some((m) => m.event.sub_label === null)).toBe(true);
  });

  it('reports whether Barack Obama was recognised in the audience (he is not, at the default threshold: docs/faces.md)', () => {
    const obama = faceEvents.filter((m) => m.event.sub_label === 'barack_obama');
    const unknownAtHisPlace = faceEvents.filter((m) => m.event.sub_label === null && isObamasPlace(centreX(m.event.box)));
    console.info(
      `face events: ${faceEvents.length}; Lin named ${faceEvents.filter((m) => m.event.sub_label === 'lin_manuel_miranda').length}, Obama named ${obama.length}, unknown at Obama's place ${unknownAtHisPlace.length}`,
    );
    // He is seen: a face event at his place exists, named or not.
    expect(obama.length + unknownAtHisPlace.length).toBeGreaterThan(0);
  });
});
