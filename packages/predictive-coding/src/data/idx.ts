/**
 * The IDX format of MNIST and Fashion-MNIST (LeCun et al.), optionally gzip-compressed:
 * magic 0x00 0x00 <type> <ndim>, ndim big-endian u32 dimensions, then the data.
 * Only unsigned bytes (type 0x08) occur in these datasets and are supported.
 */
import { check, fileBytes, PcError } from '../errors.ts';

/** A decoded IDX file (LeCun et al. 1998): its dimensions and its unsigned bytes, row-major (dims.reduce(×) of them). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Largest data section read from one IDX file: 2^28 bytes (268,435,456;
 * 342,000 images of 28×28). Its images take 4 bytes per pixel once scaled to
 * float32 (1 GiB at the cap); MNIST's training images are 47 MB.
 */
export const IDX_MAX_DATA_BYTES = 2 ** 28;

/** Whether `bytes` starts with the gzip magic 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** What an IDX header declares: its own length, the dimensions and the file's total length. */
interface IdxHeader {
  readonly headerLength: number;
  readonly dims: readonly number[];
  readonly total: number;
}

/**
 * Reads the IDX header at the start of `bytes` and checks it, including that
 * the data it declares is at most IDX_MAX_DATA_BYTES; null while `bytes` is
 * too short to hold it (and `final` is false).
 */
function readHeader(bytes: Uint8Array, name: string, final: boolean): IdxHeader | null {
  if (bytes.length < 4) {
    if (!final) return null;
    throw new PcError('data', `${name}: ${bytes.length} bytes is too short for an IDX header (at least 4). The file is truncated or not IDX.`);
  }
  check(bytes[0] === 0 && bytes[1] === 0, 'data', () => `${name}: bad IDX magic ${hex(bytes, 0, 4)}; an IDX file starts with 00 00. Is this the right file?`);
  check(
    bytes[2] === 0x08,
    'data',
    () => `${name}: IDX element type 0x${bytes[2].toString(16).padStart(2, '0')} is not supported; MNIST-style files hold unsigned bytes (0x08).`,
  );
  const ndim = bytes[3];
  check(ndim >= 1 && ndim <= 4, 'data', () => `${name}: IDX header says ${ndim} dimensions; expected 1 (labels) to 3 (images).`);
  const headerLength = 4 + 4 * ndim;
  if (bytes.length < headerLength) {
    if (!final) return null;
    throw new PcError('data', `${name}: the file ends inside its header (${bytes.length} of ${headerLength} bytes). It is truncated.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1); // ≤ (2^32)^4: exact enough to compare with the cap
  check(
    count <= IDX_MAX_DATA_BYTES,
    'data',
    () =>
      `${name}: dimensions [${dims.join(', ')}] hold ${count.toLocaleString('en-US')} bytes; this loader reads IDX files of at most ${IDX_MAX_DATA_BYTES.toLocaleString('en-US')} data bytes (their images take 4 bytes per pixel in memory). Use a smaller dataset or split it.`,
  );
  return { headerLength, dims, total: headerLength + count };
}

/**
 * Inflates a gzip IDX file as a stream, reading its header from the first
 * bytes and stopping as soon as the output exceeds what the header declares:
 * a small file that inflates to gigabytes costs one chunk, not the gigabytes.
 * Uses the platform's DecompressionStream (Node ≥ 18 and browsers), which
 * verifies the gzip CRC-32 and refuses trailing bytes.
 */
async function gunzipIdx(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  const corrupt = (e: unknown) =>
    new PcError('data', `${name}: the gzip stream is corrupt or truncated (${e instanceof Error ? e.message : String(e)}). Download the file again.`);
  const reader = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const pending: Uint8Array[] = [];
  let header: IdxHeader | null = null;
  let out: Uint8Array | null = null;
  let got = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        throw corrupt(e);
      }
      if (chunk.done) break;
      const part = chunk.value;
      if (!out) {
        pending.push(part);
        got += part.length;
        header = readHeader(concat(pending, got), name, false);
        if (!header) continue;
        if (got > header.total) throw tooLong(name, header);
        // Allocated once the header is checked; untouched pages of a large array cost no memory until written.
        out = new Uint8Array(header.total);
        out.set(concat(pending, got));
        pending.length = 0;
        continue;
      }
      if (got + part.length > out.length) throw tooLong(name, header!);
      out.set(part, got);
      got += part.length;
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
  if (!out) return concat(pending, got); // shorter than its header: parseIdx says so
  return got === out.length ? out : out.subarray(0, got);
}

function tooLong(name: string, h: IdxHeader): PcError {
  return new PcError(
    'data',
    `${name}: the gzip stream inflates to more than the ${h.total} bytes its IDX header declares (${h.headerLength}-byte header, dimensions [${h.dims.join(', ')}]). The file is corrupt or forged; download it again.`,
  );
}

function concat(parts: readonly Uint8Array[], length: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Parses an IDX file (raw or gzip) from its bytes, a Uint8Array (a Node Buffer
 * is one) or an ArrayBuffer; `name` appears in every error. Throws PcError('data').
 */
export async function decodeIdx(file: Uint8Array | ArrayBuffer, name: string): Promise<IdxArray> {
  const bytes = fileBytes(file, name, 'decodeIdx');
  if (isGzip(bytes)) return parseIdx(await gunzipIdx(bytes, name), name);
  return parseIdx(bytes, name);
}

/** Parses uncompressed IDX bytes (a Uint8Array or an ArrayBuffer). */
export function parseIdx(file: Uint8Array | ArrayBuffer, name: string): IdxArray {
  const bytes = fileBytes(file, name, 'parseIdx');
  const { headerLength: header, dims, total } = readHeader(bytes, name, true)!;
  const expected = total - header;
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
