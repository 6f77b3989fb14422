import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus } from '../../src/bus.js';
import type { Detection } from '../../src/events/analyzed-frame.js';
import type { ArgusEvent, EventMessage } from '../../src/events/event.js';
import { EventLog } from '../../src/events/event-log.js';
import { EventManager, type EventManagerOptions } from '../../src/events/event-manager.js';
import { SnapshotStore } from '../../src/events/snapshot-store.js';
import { silentLogger } from '../../src/log.js';
import type { Frame } from '../../src/sources/frame.js';
import { openDatabase } from '../../src/store/database.js';
import { EventStore } from '../../src/store/events.js';

/** Seconds since the epoch at which test clips "start": a real date, so ids look real. */
export const T0 = 1_732_350_000;

/** An EventManager on real files (SQLite, snapshots, JSONL) in a temp folder, with a hand-driven clock. */
export function eventHarness(opts: Partial<Pick<EventManagerOptions, 'cameras' | 'config' | 'onMessage' | 'onDetection'>> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'argus-events-'));
  const db = openDatabase(join(dir, 'argus.db'));
  const store = new EventStore(db);
  const snapshots = new SnapshotStore(join(dir, 'snapshots'));
  const log = new EventLog(join(dir, 'logs'));
  const bus = new EventBus((_event, err) => {
    throw err;
  });
  const messages: EventMessage[] = [];
  const owner = {};
  bus.on(owner, 'event', (m) => messages.push(structuredClone(m)));
  const clock = { now: T0 };
  const manager = new EventManager({
    config: { end_after: 2, min_frames: 2, ...opts.config },
    cameras: opts.cameras ?? {},
    bus,
    store,
    snapshots,
    log,
    logger: silentLogger(),
    now: () => clock.now,
    tickMs: 0,
    onMessage: opts.onMessage,
    onDetection: opts.onDetection,
  });
  return { dir, db, store, snapshots, log, bus, messages, clock, manager };
}

/** A plain grey frame at time `t` (seconds since the epoch). */
export function greyFrame(camera: string, t: number, width = 320, height = 180, seq = 0): Frame {
  return { camera, width, height, data: Buffer.alloc(width * height * 3, 90), time: t * 1000, seq };
}

export function feed(h: ReturnType<typeof eventHarness>, camera: string, t: number, detections: Detection[]): void {
  h.clock.now = t;
  h.manager.handle({ camera, frame: greyFrame(camera, t), detections });
}

/** A stored event `n` seconds after T0, ended 5 s later. */
export function sampleEvent(n: number, over: Partial<ArgusEvent> = {}): ArgusEvent {
  return {
    id: `${T0 + n}.000-abc${String(n).padStart(3, '0')}`,
    camera: 'door',
    kind: 'person',
    label: 'person',
    sub_label: null,
    score: 0.7,
    top_score: 0.8,
    box: [1, 2, 3, 4],
    zones: [],
    start_time: T0 + n,
    end_time: T0 + n + 5,
    snapshot: null,
    attributes: {},
    ...over,
  };
}
