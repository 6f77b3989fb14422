import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/events/analyzed-frame.js';
import type { EventPhase } from '../../src/events/event.js';
import { eventHarness, feed, T0 } from '../events/event-harness.js';

const person: Detection = { kind: 'person', label: 'person', score: 0.9, box: [10, 10, 60, 120] };

describe('EventManager tells the stats which frame raised each message', () => {
  it('start: the frame that completed min_frames (its message leaves after the snapshot is saved); an end by timeout: none', async () => {
    const seen: Array<[EventPhase, number | undefined]> = [];
    const h = eventHarness({ onMessage: (m, frameTime) => seen.push([m.type, frameTime]) });
    h.manager.start();
    feed(h, 'door', T0, [person]);
    feed(h, 'door', T0 + 0.2, [person]);
    await h.manager.flush();
    h.clock.now = T0 + 10;
    h.manager.tick();
    await h.manager.flush();
    expect(seen).toEqual([
      ['start', (T0 + 0.2) * 1000],
      ['end', undefined],
    ]);
    await h.manager.stop();
  });
});
