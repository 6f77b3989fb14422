import { describe, expect, it } from 'vitest';
import { OfflineQueue } from '../../../src/outputs/mqtt/offline-queue.js';

const msg = (topic: string, payload: string, retain = false) => ({ topic, payload, retain, qos: 1 as const });

describe('OfflineQueue', () => {
  it("keeps a retained topic's newest state only, where it came, and every event in order", () => {
    const q = new OfflineQueue();
    q.hold(msg('argus/door/person', 'ON', true));
    q.hold(msg('argus/events', 'e1'));
    q.hold(msg('argus/door/person', 'OFF', true));
    q.hold(msg('argus/events', 'e2'));
    expect(q.take().map((m) => `${m.topic}=${m.payload}`)).toEqual(['argus/events=e1', 'argus/door/person=OFF', 'argus/events=e2']);
    expect(q.size).toBe(0);
  });

  it('drops the oldest beyond its bound of bytes or messages, and counts them until emptied', () => {
    const bytes = new OfflineQueue(100, 1000);
    for (let i = 0; i < 10; i++) bytes.hold(msg('t', `${i}`.padEnd(20, '.')));
    // 21 bytes each (topic 1 + payload 20): four fit in 100
    expect(bytes.dropped).toBe(6);
    expect(bytes.take().map((m) => String(m.payload)[0])).toEqual(['6', '7', '8', '9']);
    expect(bytes.dropped).toBe(0);
    const count = new OfflineQueue(1e9, 3);
    for (let i = 0; i < 5; i++) count.hold(msg('t', String(i)));
    expect(count.take().map((m) => m.payload)).toEqual(['2', '3', '4']);
  });

  it('holds snapshots of a camera updating all night as one, not thousands', () => {
    const q = new OfflineQueue(1024 * 1024, 1000);
    const jpeg = Buffer.alloc(80_000, 1);
    for (let i = 0; i < 500; i++) q.hold({ topic: 'argus/door/image', payload: jpeg, retain: true, qos: 0 });
    expect(q.size).toBe(1);
    expect(q.dropped).toBe(0);
  });
});
