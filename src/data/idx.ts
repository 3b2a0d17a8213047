/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al.), optionally gzip-compressed:
 * magic 0x00 0x00 <type> <ndim>, ndim big-endian u32 dimensions, then the data.
 * Only unsigned bytes (type 0x08) occur in these datasets and are supported.
 */
import { check, PcError } from '../errors.ts';

export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/** Whether `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip with the platform's DecompressionStream (Node ≥ 18 and browsers). */
export async function gunzip(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (e) {
    throw new PcError('data', `${name}: the gzip stream is corrupt or truncated (${e instanceof Error ? e.message : String(e)}). Download the file again.`);
  }
}

/** Parses an IDX file (raw or gzip); `name` appears in every error. Throws PcError('data'). */
export async function decodeIdx(bytes: Uint8Array, name: string): Promise<IdxArray> {
  return parseIdx(isGzip(bytes) ? await gunzip(bytes, name) : bytes, name);
}

/** Parses uncompressed IDX bytes. */
export function parseIdx(bytes: Uint8Array, name: string): IdxArray {
  check(bytes.length >= 4, 'data', () => `${name}: ${bytes.length} bytes is too short for an IDX header (at least 4). The file is truncated or not IDX.`);
  check(bytes[0] === 0 && bytes[1] === 0, 'data', () => `${name}: bad IDX magic ${hex(bytes, 0, 4)}; an IDX file starts with 00 00. Is this the right file?`);
  check(
    bytes[2] === 0x08,
    'data',
    () => `${name}: IDX element type 0x${bytes[2].toString(16).padStart(2, '0')} is not supported; MNIST-style files hold unsigned bytes (0x08).`,
  );
  const ndim = bytes[3];
  check(ndim >= 1 && ndim <= 4, 'data', () => `${name}: IDX header says ${ndim} dimensions; expected 1 (labels) to 3 (images).`);
  const header = 4 + 4 * ndim;
  check(bytes.length >= header, 'data', () => `${name}: the file ends inside its header (${bytes.length} of ${header} bytes). It is truncated.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const got = bytes.length - header;
  check(got === expected, 'data', () =>
    got < expected
      ? `${name}: dimensions [${dims.join(', ')}] need ${expected} data bytes but only ${got} follow the header. The file is truncated; download it again.`
      : `${name}: dimensions [${dims.join(', ')}] need ${expected} data bytes but ${got} follow the header. The file has trailing bytes or a wrong header.`,
  );
  return { dims, data: bytes.subarray(header) };
}

function hex(bytes: Uint8Array, from: number, to: number): string {
  return Array.from(bytes.subarray(from, to), (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** IDX bytes (uncompressed) of unsigned-byte data with the given dimensions: the inverse of parseIdx. */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  check(data.length === count, 'shape', () => `encodeIdx: dimensions [${dims.join(', ')}] need ${count} bytes, got ${data.length}.`);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  out[2] = 0x08;
  out[3] = dims.length;
  const view = new DataView(out.buffer);
  for (const [i, d] of dims.entries()) view.setUint32(4 + 4 * i, d, false);
  out.set(data, header);
  return out;
}
