import { describe, expect, it } from 'vitest';
import { EventBus } from '../src/bus.js';

describe('EventBus', () => {
  it('delivers to listeners and removes an owner’s listeners all at once', () => {
    const bus = new EventBus();
    const a = {};
    const b = {};
    const got: string[] = [];
    bus.on(a, 'motion', (m) => got.push(`a:${m.camera}`));
    bus.on(a, 'motion', (m) => got.push(`a2:${m.moving}`));
    bus.on(b, 'motion', (m) => got.push(`b:${m.camera}`));
    bus.emit('motion', { camera: 'door', moving: true });
    bus.removeAll(a);
    bus.emit('motion', { camera: 'yard', moving: false });
    expect(got).toEqual(['a:door', 'a2:true', 'b:door', 'b:yard']);
  });

  it('keeps delivering when one listener throws, and reports the error', () => {
    const errors: string[] = [];
    const bus = new EventBus((event, err) => errors.push(`${event}: ${(err as Error).message}`));
    const got: string[] = [];
    bus.on({}, 'motion', () => {
      throw new Error('boom');
    });
    bus.on({}, 'motion', (m) => got.push(m.camera));
    bus.emit('motion', { camera: 'door', moving: true });
    expect(got).toEqual(['door']);
    expect(errors).toEqual(['motion: boom']);
  });
});
