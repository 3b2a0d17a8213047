/**
 * Reading PNG images (W3C PNG 2nd ed.) without trusting the file. The chunks
 * are walked and every CRC checked; the image size is checked against what
 * the caller expects (the model's image layer) straight after IHDR, before
 * anything is inflated; the image data is inflated by node:zlib with its
 * output capped at exactly what the header's size needs (a 28×28 image whose
 * data inflates to 1 GB costs one zlib block) and its Adler-32 verified; and
 * every colour type and bit depth is decoded, palettes through the palette.
 * Ancillary chunks are skipped unread, so no zTXt or iCCP can be a bomb.
 *
 * Not fast-png's decoder (still used to write): it inflates IDAT and iCCP
 * with no output cap while it walks the chunks, before the size can be
 * checked; it checks CRCs only on request and never the Adler-32 (fflate
 * drops it); and it returns 1/2/4-bit samples packed, which read as NaN.
 */
import { inflateSync } from 'node:zlib';
import { PcError } from 'predictive-coding/errors';
import { crc32 } from 'predictive-coding/train';
import { count } from './plural.ts';

/** A PNG as greyscale: `data` in [0, 1], row by row; `transparent` marks pixels whose alpha is below half (null: no alpha). */
export interface PngImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
  readonly transparent: Uint8Array | null;
}

/**
 * Largest image read when the caller expects no pixel count: 2^24 pixels
 * (a grid of 1024 generated 28×28 digits is 7.8 M). Decoding one costs at
 * most 134 MB of image data (16-bit RGBA) and 84 MB of output.
 */
export const PNG_MAX_PIXELS = 2 ** 24;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Each colour type: its name, samples per pixel and allowed bit depths (PNG §11.2.2). */
const COLOUR_TYPES: Readonly<Record<number, { readonly name: string; readonly channels: number; readonly depths: readonly number[] }>> = {
  0: { name: 'greyscale', channels: 1, depths: [1, 2, 4, 8, 16] },
  2: { name: 'truecolour', channels: 3, depths: [8, 16] },
  3: { name: 'palette', channels: 1, depths: [1, 2, 4, 8] },
  4: { name: 'greyscale with alpha', channels: 2, depths: [8, 16] },
  6: { name: 'truecolour with alpha', channels: 4, depths: [8, 16] },
};

/** Adam7 passes: first column and row, column and row steps (PNG §8.2). */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

interface Header {
  readonly width: number;
  readonly height: number;
  readonly depth: number;
  readonly colorType: number;
  readonly interlaced: boolean;
}

/** The (sub-)images the data holds: the whole image, or the non-empty Adam7 passes. */
function passesOf(h: Header): { x0: number; y0: number; dx: number; dy: number; w: number; h: number }[] {
  const all = h.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  return all
    .map(([x0, y0, dx, dy]) => ({ x0, y0, dx, dy, w: Math.ceil((h.width - x0) / dx), h: Math.ceil((h.height - y0) / dy) }))
    .filter((p) => p.w > 0 && p.h > 0);
}

/** Bytes of filtered image data a header needs: per scanline a filter byte and ⌈w·bits/8⌉ bytes. */
function dataLength(h: Header): number {
  const bits = COLOUR_TYPES[h.colorType].channels * h.depth;
  return passesOf(h).reduce((sum, p) => sum + p.h * (1 + Math.ceil((p.w * bits) / 8)), 0);
}

/**
 * The image sizes a caller accepts, checked from IHDR before anything is
 * inflated: a pixel count (the model's image layer), or a test of width and
 * height that returns the whole error message (naming the file) to refuse
 * them, or null to accept.
 */
export type ExpectedSize = number | ((width: number, height: number) => string | null);

/**
 * Decodes PNG `bytes` (called `name` in errors) to greyscale; refuses an
 * image of another size than `expected` before inflating anything. Colour is
 * the mean of R, G and B; palette images go through the palette. Throws
 * PcError('data') only.
 */
export function decodePng(bytes: Uint8Array, name: string, expected?: ExpectedSize): PngImage {
  const bad = (what: string) => new PcError('data', `${name}: ${what}`);
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    throw bad('not a PNG file (its first 8 bytes are not the PNG signature). Is this the right file?');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let trns: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let idatDone = false;
  let pos = 8;
  for (;;) {
    if (pos === bytes.length) throw bad('the file ends without an IEND chunk. It is truncated.');
    if (pos + 8 > bytes.length) throw bad(`the file ends inside the chunk header at byte ${pos}. It is truncated.`);
    const length = view.getUint32(pos);
    const typeBytes = bytes.subarray(pos + 4, pos + 8);
    if (!typeBytes.every((c) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)))
      throw bad(
        `the chunk at byte ${pos} has an invalid type (bytes ${Array.from(typeBytes, (c) => c.toString(16).padStart(2, '0')).join(' ')}). The file is corrupt.`,
      );
    const type = String.fromCharCode(...typeBytes);
    if (length > 2 ** 31 - 1 || pos + 12 + length > bytes.length)
      throw bad(`chunk ${type} at byte ${pos} runs past the end of the file. The file is truncated.`);
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    const stored = view.getUint32(pos + 8 + length);
    const computed = crc32(bytes.subarray(pos + 4, pos + 8 + length));
    if (stored !== computed) throw bad(`chunk ${type} at byte ${pos} fails its CRC (stored ${hex8(stored)}, computed ${hex8(computed)}). The file is corrupt.`);
    if (!header && type !== 'IHDR') throw bad(`the first chunk is ${type}; a PNG starts with IHDR. The file is corrupt.`);
    if (idat.length && type !== 'IDAT') idatDone = true;
    const at = `chunk ${type} at byte ${pos}`;
    pos += 12 + length;
    if (type === 'IHDR') {
      if (header) throw bad(`a second IHDR chunk (${at}). The file is corrupt.`);
      header = readHeader(data, bad);
      checkSize(header, expected, bad);
    } else if (type === 'PLTE') {
      if (palette || idat.length) throw bad(`${at} is out of place (a second palette, or one after the image data). The file is corrupt.`);
      if (length % 3 !== 0 || length === 0 || length > 768)
        throw bad(`${at} holds ${length} bytes; a palette is 1 to 256 entries of 3 bytes. The file is corrupt.`);
      if (header!.colorType === 0 || header!.colorType === 4)
        throw bad(`${at}: a ${COLOUR_TYPES[header!.colorType].name} image has no palette. The file is corrupt.`);
      palette = data;
    } else if (type === 'tRNS') {
      trns = readTrns(header!, data, palette, idat.length > 0, at, bad);
    } else if (type === 'IDAT') {
      if (idatDone) throw bad(`${at}: image data chunks must be consecutive. The file is corrupt.`);
      idat.push(data);
    } else if (type === 'IEND') {
      if (pos < bytes.length)
        throw bad(
          `${count(bytes.length - pos, 'byte')} follow${bytes.length - pos === 1 ? 's' : ''} the IEND chunk. The file is corrupt or has data appended.`,
        );
      break;
    } else if (!(typeBytes[0] & 0x20)) {
      throw bad(`chunk "${type}" at byte ${pos - 12 - length} is critical but unknown to this reader. The file uses a PNG extension it cannot read.`);
    } // ancillary chunks (lowercase first letter) are skipped unread
  }
  const h = header!;
  if (h.colorType === 3 && !palette) throw bad('a palette image (colour type 3) without a PLTE chunk before its data. The file is corrupt.');
  if (!idat.length) throw bad('the file has no image data (IDAT chunk). The file is corrupt.');
  return toGrey(h, inflate(h, idat, bad), palette, trns, bad);
}

function hex8(v: number): string {
  return v.toString(16).padStart(8, '0');
}

function readHeader(d: Uint8Array, bad: (what: string) => PcError): Header {
  if (d.length !== 13) throw bad(`the IHDR chunk holds ${d.length} bytes; it must hold 13. The file is corrupt.`);
  const view = new DataView(d.buffer, d.byteOffset, 13);
  const [width, height] = [view.getUint32(0), view.getUint32(4)];
  const [depth, colorType, compression, filter, interlace] = d.subarray(8);
  if (width === 0 || height === 0 || width > 2 ** 31 - 1 || height > 2 ** 31 - 1)
    throw bad(`the image is ${width}×${height}; PNG images are at least 1×1. The file is corrupt.`);
  const colour = COLOUR_TYPES[colorType];
  if (!colour) throw bad(`colour type ${colorType} does not exist; PNG has 0, 2, 3, 4 and 6. The file is corrupt.`);
  if (!colour.depths.includes(depth))
    throw bad(`bit depth ${depth} is not valid for colour type ${colorType} (${colour.name}); PNG allows ${colour.depths.join(', ')}. The file is corrupt.`);
  if (compression !== 0 || filter !== 0 || interlace > 1)
    throw bad(`IHDR names compression ${compression}, filter method ${filter}, interlace ${interlace}; PNG defines only 0, 0 and 0 or 1. The file is corrupt.`);
  return { width, height, depth, colorType, interlaced: interlace === 1 };
}

function checkSize(h: Header, expected: ExpectedSize | undefined, bad: (what: string) => PcError): void {
  const n = h.width * h.height; // < 2^62: exact enough to compare
  const size = `the image is ${h.width}×${h.height} = ${n} pixels`;
  if (typeof expected === 'number' && n !== expected) {
    const side = Math.round(Math.sqrt(expected));
    throw bad(`${size}; the model expects ${expected}${side * side === expected ? ` (${side}×${side})` : ''}. Pass an image of the model's size.`);
  }
  if (n > PNG_MAX_PIXELS) throw bad(`${size}; this reader reads at most ${PNG_MAX_PIXELS}. Pass a smaller image.`);
  const why = typeof expected === 'function' ? expected(h.width, h.height) : null;
  if (why) throw new PcError('data', why);
}

function readTrns(h: Header, d: Uint8Array, palette: Uint8Array | undefined, afterData: boolean, at: string, bad: (what: string) => PcError): Uint8Array {
  if (afterData) throw bad(`${at} comes after the image data; it must come before. The file is corrupt.`);
  const ok =
    h.colorType === 0
      ? d.length === 2
      : h.colorType === 2
        ? d.length === 6
        : h.colorType === 3
          ? palette !== undefined && d.length <= palette.length / 3
          : false;
  if (!ok)
    throw bad(
      `${at} holds ${d.length} bytes, which does not fit a ${COLOUR_TYPES[h.colorType].name} image${h.colorType === 3 ? ' and its palette' : ''}. The file is corrupt.`,
    );
  return d;
}

/** The image data inflated, exactly dataLength(h) bytes: more is refused as soon as zlib produces it. */
function inflate(h: Header, idat: readonly Uint8Array[], bad: (what: string) => PcError): Uint8Array {
  const need = dataLength(h);
  const image = `a ${h.width}×${h.height} ${COLOUR_TYPES[h.colorType].name} ${h.depth}-bit image`;
  const z = idat.length === 1 ? idat[0] : Buffer.concat(idat);
  let out: Buffer;
  let used: number;
  try {
    const r = inflateSync(z, { maxOutputLength: need, info: true }) as unknown as { buffer: Buffer; engine: { bytesWritten: number } };
    out = r.buffer;
    used = r.engine.bytesWritten;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw bad(`the image data inflates to more than the ${need} bytes ${image} needs. The file is corrupt or forged.`);
    throw bad(`the image data is not a valid zlib stream (${e instanceof Error ? e.message : String(e)}). The file is corrupt.`);
  }
  if (used < z.length)
    throw bad(
      `${count(z.length - used, 'byte')} follow${z.length - used === 1 ? 's' : ''} the end of the zlib stream in the image data. The file is corrupt or forged.`,
    );
  if (out.length < need) throw bad(`the image data inflates to ${out.length} bytes but ${image} needs ${need}. The file is truncated or corrupt.`);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Undoes the filters (PNG §9.2) in place in `raw` and converts every pixel to grey in [0, 1] (and transparency). */
function toGrey(h: Header, raw: Uint8Array, palette: Uint8Array | undefined, trns: Uint8Array | undefined, bad: (what: string) => PcError): PngImage {
  const { channels } = COLOUR_TYPES[h.colorType];
  const bits = channels * h.depth;
  const bpp = Math.max(1, bits >> 3);
  const max = 2 ** h.depth - 1;
  const data = new Float32Array(h.width * h.height);
  const hasAlpha = h.colorType === 4 || h.colorType === 6 || trns !== undefined;
  const transparent = hasAlpha ? new Uint8Array(h.width * h.height) : null;
  const key = trns && h.colorType !== 3 ? Array.from({ length: trns.length / 2 }, (_, i) => (trns[2 * i] << 8) | trns[2 * i + 1]) : null;
  const colours = h.colorType === 2 || h.colorType === 6 ? 3 : 1;
  const samples = new Array<number>(channels);
  let line = 0;
  let offset = 0;
  for (const p of passesOf(h)) {
    const stride = Math.ceil((p.w * bits) / 8);
    for (let y = 0; y < p.h; y++, line++, offset += stride + 1) {
      const filter = raw[offset];
      if (filter > 4) throw bad(`scanline ${line} has filter type ${filter}; PNG has 0 to 4. The file is corrupt.`);
      const row = offset + 1;
      const prev = y > 0 ? row - stride - 1 : -1; // the pass's previous scanline, already unfiltered
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? raw[row + i - bpp] : 0;
        const b = prev >= 0 ? raw[prev + i] : 0;
        const c = prev >= 0 && i >= bpp ? raw[prev + i - bpp] : 0;
        raw[row + i] += filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
      }
      for (let x = 0; x < p.w; x++) {
        for (let c = 0; c < channels; c++) samples[c] = sample(raw, row, (x * channels + c) * h.depth, h.depth);
        const k = (p.y0 + y * p.dy) * h.width + p.x0 + x * p.dx;
        if (h.colorType === 3) {
          const e = samples[0];
          if (3 * e >= palette!.length)
            throw bad(`pixel ${k} uses palette entry ${e} but the palette has ${palette!.length / 3} entries. The file is corrupt.`);
          data[k] = (palette![3 * e] + palette![3 * e + 1] + palette![3 * e + 2]) / 3 / 255;
          if (transparent) transparent[k] = e < trns!.length && trns![e] < 255 / 2 ? 1 : 0;
          continue;
        }
        let sum = 0;
        for (let c = 0; c < colours; c++) sum += samples[c];
        data[k] = sum / colours / max;
        if (!transparent) continue;
        if (key) transparent[k] = key.every((v, c) => v === samples[c]) ? 1 : 0;
        else transparent[k] = samples[channels - 1] < max / 2 ? 1 : 0;
      }
    }
  }
  return { width: h.width, height: h.height, data, transparent };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The sample at bit `bit` of the scanline starting at `row`: most significant bits first, 16-bit big-endian. */
function sample(raw: Uint8Array, row: number, bit: number, depth: number): number {
  if (depth === 16) return (raw[row + (bit >> 3)] << 8) | raw[row + (bit >> 3) + 1];
  if (depth === 8) return raw[row + (bit >> 3)];
  return (raw[row + (bit >> 3)] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
}
