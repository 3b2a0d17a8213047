import { describe, expect, it } from 'vitest';
import { LinearHeap } from '../../packages/predictive-coding/src/kernels/wasm/heap.ts';

const PAGE = 65536;

describe('LinearHeap', () => {
  it('hands out 64-byte aligned, zeroed, non-overlapping blocks and reuses freed ones', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const heap = new LinearHeap(mem, 1024, true, 4 * PAGE);
    const a = heap.alloc(10);
    const b = heap.alloc(100);
    expect(a % 64).toBe(0);
    expect(b % 64).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 64);
    new Uint8Array(mem.buffer, a, 64).fill(7);
    heap.release(a);
    const c = heap.alloc(64);
    expect(c).toBe(a);
    expect(Array.from(new Uint8Array(mem.buffer, c, 64)).every((v) => v === 0)).toBe(true);
  });

  it('coalesces freed neighbours so a larger block fits where two small ones were', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    const heap = new LinearHeap(mem, 0, true, 4 * PAGE);
    const a = heap.alloc(64);
    const b = heap.alloc(64);
    const c = heap.alloc(64);
    heap.alloc(64); // keeps the three from folding into the end
    heap.release(a);
    heap.release(c);
    heap.release(b);
    expect(heap.alloc(192)).toBe(a);
  });

  it('grows shared memory on demand and earlier views stay valid', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 64, shared: true });
    const heap = new LinearHeap(mem, 0, true, 64 * PAGE);
    const a = heap.alloc(16);
    const view = new Float32Array(mem.buffer, a, 4);
    view.set([1, 2, 3, 4]);
    heap.alloc(10 * PAGE);
    expect(mem.buffer.byteLength).toBeGreaterThanOrEqual(11 * PAGE);
    expect(Array.from(view)).toEqual([1, 2, 3, 4]);
    expect(heap.owns(view)).toBe(true);
    expect(heap.owns(new Float32Array(mem.buffer, a, 4))).toBe(true);
    expect(heap.owns(new Float32Array(4))).toBe(false);
  });

  it('never grows non-shared memory (that would detach every view) and says so', () => {
    const mem = new WebAssembly.Memory({ initial: 2, maximum: 2 });
    const heap = new LinearHeap(mem, 0, false, 2 * PAGE);
    heap.alloc(PAGE);
    expect(() => heap.alloc(PAGE + 1)).toThrow(/^wasm backend: out of memory: need 0\.1 MiB of linear memory but the limit is 0\.1 MiB\./);
  });

  it('refuses to free an offset it never handed out, or twice', () => {
    const mem = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    const heap = new LinearHeap(mem, 0, true, PAGE);
    const a = heap.alloc(64);
    heap.release(a);
    expect(() => heap.release(a)).toThrow('no live allocation at byte offset 0');
    expect(heap.liveBytes).toBe(0);
  });
});
