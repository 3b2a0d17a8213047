/** Taking safetensors files apart and forging them, for the checkpoint tests (unit and fuzz). */
import { crc32 } from '../../packages/predictive-coding/src/train/index.ts';

/** The header length a file's first 8 bytes state (u64, little-endian). */
export const headerLength = (b: Uint8Array): number => Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));

/** The header of `bytes` as a plain object, and (a copy of) its data section. */
export function split(b: Uint8Array): { header: Record<string, unknown>; data: Uint8Array } {
  const n = headerLength(b);
  return { header: JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n))), data: b.slice(8 + n) };
}

/** A safetensors file of `header` (an object, or raw JSON text) and `data`; an object's CRC is recomputed unless `keepCrc`. */
export function forge(header: unknown, data: Uint8Array, keepCrc = false): Uint8Array {
  let h = header;
  if (!keepCrc && typeof h === 'object' && h !== null && '__metadata__' in h) {
    const meta = (h as { __metadata__: unknown }).__metadata__;
    if (typeof meta === 'object' && meta !== null && !Array.isArray(meta))
      h = { ...h, __metadata__: { ...meta, crc32: crc32(data).toString(16).padStart(8, '0') } };
  }
  const text = new TextEncoder().encode(typeof h === 'string' ? h : JSON.stringify(h));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}
