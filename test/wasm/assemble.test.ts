import { describe, expect, it } from 'vitest';
import { get, I32, i32, oneFunctionModule, sleb, uleb } from '../../src/wasm/assemble.js';

describe('wasm assembly helpers', () => {
  it('encodes LEB128 as the wasm spec does', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(127)).toEqual([0x7f]);
    expect(uleb(128)).toEqual([0x80, 0x01]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-1)).toEqual([0x7f]);
    expect(sleb(63)).toEqual([0x3f]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
  });

  it('builds a module whose one function runs on the memory it is given', () => {
    // store(p, v): i32.store at p
    const module = oneFunctionModule('store', [I32, I32], [], [...get(0), ...get(1), 0x36, 0x02, 0x00, 0x0b]);
    expect(module).not.toBeNull();
    const memory = new WebAssembly.Memory({ initial: 1 });
    const store = new WebAssembly.Instance(module!, { env: { memory } }).exports.store as (p: number, v: number) => void;
    store(8, -5);
    expect(new Int32Array(memory.buffer)[2]).toBe(-5);
  });

  it('answers null for a body that does not validate', () => {
    // returns an i32 from a function declared to return nothing
    expect(oneFunctionModule('bad', [], [], [...i32(1), 0x0b])).toBeNull();
  });
});
