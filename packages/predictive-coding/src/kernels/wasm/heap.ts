/**
 * A first-fit allocator over wasm linear memory, kept on the JS side (the
 * kernels themselves never allocate). Blocks are 64-byte aligned (a cache
 * line); freed neighbours coalesce. When nothing fits it grows the memory —
 * only if the memory is shared, because growing a non-shared memory detaches
 * every typed-array view handed out so far.
 */
import { PcError } from '../../errors.ts';

const ALIGN = 64;
const PAGE = 65536;

interface Block {
  offset: number;
  bytes: number;
}

export class LinearHeap {
  private readonly free: Block[] = [];
  private readonly used = new Map<number, number>();
  private readonly buffers = new Set<ArrayBufferLike>();
  private end: number;
  /** @internal The module's memory (internal, so the shipped declarations need no WebAssembly types). */
  readonly memory: WebAssembly.Memory;

  /** @internal */
  constructor(
    memory: WebAssembly.Memory,
    base: number,
    private readonly growable: boolean,
    private readonly maxBytes: number,
  ) {
    this.memory = memory;
    this.end = align(base);
    this.buffers.add(memory.buffer);
  }

  /** Byte offset of `bytes` zeroed bytes, 64-byte aligned. */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.bytes < size) continue;
      const offset = b.offset;
      if (b.bytes === size) this.free.splice(i, 1);
      else {
        b.offset += size;
        b.bytes -= size;
      }
      this.used.set(offset, size);
      new Uint8Array(this.memory.buffer, offset, size).fill(0);
      return offset;
    }
    const offset = this.end;
    this.ensure(offset + size);
    this.end = offset + size;
    this.used.set(offset, size);
    return offset; // fresh pages are already zero
  }

  /** Returns the block at `offset` (from `alloc`) to the free list. */
  release(offset: number): void {
    const size = this.used.get(offset);
    if (size === undefined)
      throw new PcError('config', `wasm backend free: no live allocation at byte offset ${offset}. Free only arrays from this backend's alloc, once.`);
    this.used.delete(offset);
    if (offset + size === this.end) {
      this.end = offset;
      // The block below the old end may now be the last one: fold it into `end` too.
      const last = this.free[this.free.length - 1];
      if (last && last.offset + last.bytes === this.end) {
        this.end = last.offset;
        this.free.pop();
      }
      return;
    }
    let i = 0;
    while (i < this.free.length && this.free[i].offset < offset) i++;
    this.free.splice(i, 0, { offset, bytes: size });
    const next = this.free[i + 1];
    if (next && offset + size === next.offset) {
      this.free[i].bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.offset + prev.bytes === offset) {
      prev.bytes += this.free[i].bytes;
      this.free.splice(i, 1);
    }
  }

  /** Whether `array` is a view of this memory (so it can be passed by offset). */
  owns(array: ArrayBufferView): boolean {
    return this.buffers.has(array.buffer);
  }

  /** Bytes currently allocated. */
  get liveBytes(): number {
    let s = 0;
    for (const b of this.used.values()) s += b;
    return s;
  }

  private ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    if (!this.growable || bytes > this.maxBytes) {
      const limit = this.growable ? this.maxBytes : have;
      throw new PcError(
        'config',
        `wasm backend: out of memory: need ${mib(bytes)} MiB of linear memory but the limit is ${mib(limit)} MiB. Free unused arrays, or create the backend with a larger memoryMB.`,
      );
    }
    // Grow at least by half again, so repeated small allocations do not grow page by page.
    const target = Math.min(this.maxBytes, Math.max(bytes, have + (have >> 1)));
    this.memory.grow(Math.ceil((target - have) / PAGE));
    this.buffers.add(this.memory.buffer);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
