/**
 * Tar archives written byte by byte for the tar reader's tests (POSIX ustar,
 * with GNU's long-name and base-256 forms and pax headers on demand), so that
 * any entry a forged archive could hold can be made.
 */
import { gzipSync } from 'node:zlib';

export interface TarEntry {
  readonly name: string;
  readonly data?: Uint8Array | string;
  /** typeflag: '0' file (default), '5' folder, '1' hard link, '2' symlink, 'x' pax, 'L' GNU long name … */
  readonly type?: string;
  readonly linkname?: string;
  /** ustar's prefix field (joined to the name with '/'). */
  readonly prefix?: string;
  /** Write the size in GNU's base-256 form. */
  readonly base256?: boolean;
  /** Added to the correct checksum (0: correct). */
  readonly checksumOffBy?: number;
}

const enc = new TextEncoder();

function field(h: Uint8Array, at: number, len: number, text: string): void {
  h.set(enc.encode(text).subarray(0, len), at);
}

const octal = (v: number, digits: number) => `${v.toString(8).padStart(digits, '0')}\0`;

/** The 512-byte header of `e`, whose data is `size` bytes. */
export function tarHeader(e: TarEntry, size: number): Uint8Array {
  const h = new Uint8Array(512);
  field(h, 0, 100, e.name);
  field(h, 100, 8, octal(0o644, 7));
  field(h, 108, 8, octal(0, 7));
  field(h, 116, 8, octal(0, 7));
  if (e.base256) {
    h[124] = 0x80;
    for (let i = 135, v = size; i > 124; i--, v = Math.floor(v / 256)) h[i] = v % 256;
  } else field(h, 124, 12, octal(size, 11));
  field(h, 136, 12, octal(0, 11));
  field(h, 148, 8, '        ');
  field(h, 156, 1, e.type ?? '0');
  field(h, 157, 100, e.linkname ?? '');
  field(h, 257, 8, 'ustar\x0000');
  field(h, 345, 155, e.prefix ?? '');
  const sum = h.reduce((a, b) => a + b, 0) + (e.checksumOffBy ?? 0);
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

/** An uncompressed tar of `entries`, ended by two zero blocks unless `end` is false. */
export function tar(entries: readonly TarEntry[], end = true): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? enc.encode(e.data) : (e.data ?? new Uint8Array(0));
    parts.push(tarHeader(e, data.length), data, new Uint8Array((512 - (data.length % 512)) % 512));
  }
  if (end) parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A pax extended header entry setting `records` (key → value) for the entry after it. */
export function pax(records: Record<string, string>): TarEntry {
  let data = '';
  for (const [k, v] of Object.entries(records)) {
    const body = ` ${k}=${v}\n`;
    let len = body.length + 1;
    while (`${len}${body}`.length !== len) len++;
    data += `${len}${body}`;
  }
  return { name: 'PaxHeader', type: 'x', data };
}

export const tarGz = (entries: readonly TarEntry[], end = true): Uint8Array => new Uint8Array(gzipSync(tar(entries, end)));
