import { describe, expect, it } from 'vitest';
import { EventKinds } from '../../src/analyzers/kinds.js';
import { ANALYZERS } from '../../src/analyzers/list.js';
import type { ArgusEvent } from '../../src/events/event.js';

const event = (label: string) => ({ kind: 'object', label }) as ArgusEvent;

describe('EventKinds', () => {
  it('adds a watched label’s occupancy and count to the object kind, from the options', () => {
    const kinds = new EventKinds(ANALYZERS, { object: { labels: ['dog', 'delivery van'] } });
    const entities = kinds.spec('object')!.entities;
    const byKey = new Map(entities.map((e) => [e.key, e]));
    const dog = byKey.get('object_dog_occupancy');
    expect(dog).toMatchObject({ platform: 'binary_sensor', name: 'Dog occupancy', fields: { device_class: 'occupancy' } });
    expect(dog && 'on' in dog && dog.on(event('dog'))).toBe(true);
    expect(dog && 'on' in dog && dog.on(event('delivery van'))).toBe(false);
    const van = byKey.get('object_delivery_van_count');
    expect(van).toMatchObject({ platform: 'sensor', name: 'Delivery van count' });
    expect(van && 'counts' in van && van.counts(event('delivery van'))).toBe(true);
    // the kind's own entities stay, and every key is unique on the camera
    expect([...byKey.keys()]).toEqual(expect.arrayContaining(['object', 'object_count', 'last_object', 'object_detected']));
    expect(new Set(kinds.specs.flatMap((k) => k.entities.map((e) => e.key))).size).toBe(kinds.specs.flatMap((k) => k.entities).length);
  });

  it('adds none without watched labels, and keys a label with no ASCII letter by its place', () => {
    const none = new EventKinds(ANALYZERS);
    expect(none.spec('object')!.entities.map((e) => e.key)).toEqual(['object', 'object_count', 'last_object', 'object_detected']);
    const other = new EventKinds(ANALYZERS, { object: { labels: ['собака'] } });
    expect(other.spec('object')!.entities.map((e) => e.key)).toContain('object_label1_occupancy');
  });
});
