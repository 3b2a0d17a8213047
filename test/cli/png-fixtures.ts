/**
 * PNG files built by hand from the specification (W3C PNG, 2nd ed.), as
 * oracles for the reader: any colour type and bit depth, every filter type,
 * Adam7 interlacing, and chunk-level forgeries.
 */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../packages/predictive-coding/src/train/index.ts';

export const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Samples per pixel for each colour type. */
export const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

export interface PngSpec {
  readonly width: number;
  readonly height: number;
  readonly colorType: 0 | 2 | 3 | 4 | 6;
  readonly depth: 1 | 2 | 4 | 8 | 16;
  /** width·height·channels samples, row by row (palette indices for colour type 3). */
  readonly samples: ArrayLike<number>;
  readonly palette?: readonly (readonly [number, number, number])[];
  readonly trns?: Uint8Array;
  readonly interlace?: boolean;
  /** The filter type of each scanline, cycling (default 0: none). */
  readonly filters?: readonly number[];
}

/** One chunk: length, type, data, CRC over type and data. */
export function chunk(type: string, data: Uint8Array, crc?: number): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc ?? crc32(out.subarray(4, 8 + data.length)));
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function ihdr(width: number, height: number, depth: number, colorType: number, interlace = 0): Uint8Array {
  const d = new Uint8Array(13);
  const view = new DataView(d.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  d.set([depth, colorType, 0, 0, interlace], 8);
  return chunk('IHDR', d);
}

/** Packs one row of samples at `depth` bits, most significant bits first (16-bit: big-endian). */
function packRow(samples: readonly number[], depth: number): Uint8Array {
  if (depth === 16) {
    const out = new Uint8Array(samples.length * 2);
    samples.forEach((v, i) => {
      out[2 * i] = v >> 8;
      out[2 * i + 1] = v & 0xff;
    });
    return out;
  }
  const out = new Uint8Array(Math.ceil((samples.length * depth) / 8));
  samples.forEach((v, i) => {
    const bit = i * depth;
    out[bit >> 3] |= v << (8 - depth - (bit & 7));
  });
  return out;
}

/** Filters one packed row (PNG §9.2) with `type`, given the previous packed row and bytes per complete pixel. */
function filterRow(type: number, row: Uint8Array, prev: Uint8Array | null, bpp: number): Uint8Array {
  const out = new Uint8Array(row.length);
  for (let i = 0; i < row.length; i++) {
    const a = i >= bpp ? row[i - bpp] : 0;
    const b = prev ? prev[i] : 0;
    const c = prev && i >= bpp ? prev[i - bpp] : 0;
    let pred = 0;
    if (type === 1) pred = a;
    else if (type === 2) pred = b;
    else if (type === 3) pred = (a + b) >> 1;
    else if (type === 4) {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
    out[i] = (row[i] - pred) & 0xff;
  }
  return out;
}

/** The filtered scanlines of a (sub-)image of w×h pixels whose samples are given by `at(x, y)`. */
function scanlines(spec: PngSpec, w: number, h: number, at: (x: number, y: number) => number[], line0: number): Uint8Array[] {
  const bpp = Math.max(1, (CHANNELS[spec.colorType] * spec.depth) / 8);
  const out: Uint8Array[] = [];
  let prev: Uint8Array | null = null;
  for (let y = 0; y < h; y++) {
    const row: number[] = [];
    for (let x = 0; x < w; x++) row.push(...at(x, y));
    const packed = packRow(row, spec.depth);
    const filters = spec.filters ?? [0];
    const type = filters[(line0 + y) % filters.length];
    out.push(Uint8Array.of(type), filterRow(type, packed, prev, bpp));
    prev = packed;
  }
  return out;
}

/** Adam7 passes: x0, y0, dx, dy (PNG §8.2). */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The raw (filtered, not yet compressed) image data of `spec`. */
export function rawImageData(spec: PngSpec): Uint8Array {
  const n = CHANNELS[spec.colorType];
  const pixel = (x: number, y: number) => Array.from({ length: n }, (_, c) => spec.samples[(y * spec.width + x) * n + c]);
  if (!spec.interlace) return concat(...scanlines(spec, spec.width, spec.height, pixel, 0));
  const parts: Uint8Array[] = [];
  let line = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const w = Math.ceil((spec.width - x0) / dx);
    const h = Math.ceil((spec.height - y0) / dy);
    if (w <= 0 || h <= 0) continue;
    parts.push(...scanlines(spec, w, h, (x, y) => pixel(x0 + x * dx, y0 + y * dy), line));
    line += h;
  }
  return concat(...parts);
}

/** A complete PNG file of `spec`; `idat` replaces the compressed data (and `spec.samples` is not needed). */
export function png(spec: Omit<PngSpec, 'samples'> & Partial<Pick<PngSpec, 'samples'>>, idat?: Uint8Array): Uint8Array {
  const image = () => rawImageData({ ...spec, samples: spec.samples ?? [] });
  const parts = [SIGNATURE, ihdr(spec.width, spec.height, spec.depth, spec.colorType, spec.interlace ? 1 : 0)];
  if (spec.palette) parts.push(chunk('PLTE', Uint8Array.from(spec.palette.flat())));
  if (spec.trns) parts.push(chunk('tRNS', spec.trns));
  parts.push(chunk('IDAT', idat ?? new Uint8Array(deflateSync(image()))), chunk('IEND', new Uint8Array(0)));
  return concat(...parts);
}
