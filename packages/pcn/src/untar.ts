/**
 * Reading named members out of a gzip-compressed tar archive (Node), for
 * `pcn data download`: the file is inflated as a stream (node:zlib, which
 * checks gzip's CRC-32) and parsed as it arrives; only the members asked for
 * are kept in memory, each up to a size cap, and nothing is written to disk —
 * the caller writes what it asked for under names it chose itself.
 *
 * Why not a tar package: a download extracts a few regular files whose names
 * are known in advance from one archive whose SHA-256 is checked first. A
 * general extractor writes whatever paths and links the archive holds and has
 * to defend each of them (node-tar has had several path-traversal advisories
 * for exactly that); this reader never uses an archive's name as a path.
 *
 * Formats read: POSIX ustar (name + prefix), GNU tar (long names 'L', base-256
 * sizes) and pax headers ('x': path and size). The archive is refused — one
 * PcError('data') naming it, nothing returned — when an entry's name is
 * absolute or has a '..' part, when it holds a link, device or FIFO, on a bad
 * header checksum or size field, a truncated archive, or a wanted member
 * twice or over the cap.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PcError, quoted } from 'predictive-coding/errors';

const BLOCK = 512;
/** Most bytes of a pax header or GNU long name kept: real ones are a few hundred bytes. */
const META_MAX_BYTES = 2 ** 16;

/**
 * The members of the .tar.gz at `path` whose names (with any leading './'
 * removed) are in `wanted`, by name; wanted members missing from the archive
 * are simply absent from the result. `label` starts every message.
 */
export async function readTarGz(path: string, label: string, wanted: ReadonlySet<string>, maxMemberBytes: number): Promise<Map<string, Uint8Array>> {
  const parser = tarParser(label, wanted, maxMemberBytes);
  // The parser's refusal, kept: pipeline rejects with its own AbortError once the sink throws.
  let refused: unknown = null;
  try {
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Uint8Array>) => {
      for await (const chunk of source) {
        try {
          parser.push(chunk);
        } catch (e) {
          refused = e;
          throw e;
        }
      }
    });
  } catch (e) {
    if (refused) throw refused;
    if (e instanceof PcError) throw e;
    throw new PcError('data', `${label}: the gzip stream is corrupt or truncated (${e instanceof Error ? e.message : String(e)}). Download it again.`);
  }
  return parser.end();
}

/** What the bytes after the current header are. */
interface Body {
  readonly kind: 'member' | 'pax' | 'long-name' | 'skip';
  readonly name: string;
  /** Bytes of the entry still to come, then the padding to the next block. */
  left: number;
  pad: number;
  readonly into: Uint8Array | null;
  at: number;
}

/** An incremental tar parser: push() inflated bytes in order, then end() for the members. */
export function tarParser(
  label: string,
  wanted: ReadonlySet<string>,
  maxMemberBytes: number,
): { push(chunk: Uint8Array): void; end(): Map<string, Uint8Array> } {
  const header = new Uint8Array(BLOCK);
  let have = 0;
  let offset = 0; // archive bytes consumed, for messages
  let body: Body | null = null;
  let ended = false;
  let next: { path?: string; size?: number } = {}; // from a pax header or GNU long name, for the next entry
  const members = new Map<string, Uint8Array>();
  const refuse = (what: string) => new PcError('data', `${label}: ${what}; the archive is refused and nothing was extracted. Download it again.`);

  const onHeader = (): void => {
    if (header.every((b) => b === 0)) {
      ended = true; // end of archive; the rest is zero padding
      return;
    }
    const at = offset - BLOCK;
    checkChecksum(header, at, refuse);
    const type = String.fromCharCode(header[156]);
    const size = next.size ?? sizeField(header, at, refuse);
    const name = stripDot(next.path ?? headerName(header));
    next = {};
    const kind = entryKind(type, name, size, at);
    const into = kind === 'skip' ? null : new Uint8Array(size);
    body = { kind, name, left: size, pad: (BLOCK - (size % BLOCK)) % BLOCK, into, at: 0 };
    if (size === 0) finish(body);
  };

  /** What to do with the entry's bytes; throws for an entry that refuses the archive. */
  const entryKind = (type: string, name: string, size: number, at: number): Body['kind'] => {
    if (type === 'x' || type === 'L') {
      if (size > META_MAX_BYTES) throw refuse(`its ${type === 'x' ? 'pax' : 'long-name'} header at byte ${at} is ${size} bytes long`);
      return type === 'x' ? 'pax' : 'long-name';
    }
    if (type === 'g' || type === 'K') return 'skip'; // global pax settings; a link's long target (the link itself is refused)
    checkName(name, refuse);
    const refused = REFUSED_TYPES[type];
    if (refused) throw refuse(`its entry ${quoted(name)} is ${refused}, which a dataset archive never holds`);
    const regular = type === '0' || type === '\0' || type === '7';
    if (!regular || !wanted.has(name)) return 'skip';
    if (members.has(name)) throw refuse(`it holds ${quoted(name)} twice`);
    if (size > maxMemberBytes)
      throw refuse(`its member ${quoted(name)} is ${size.toLocaleString('en-US')} bytes, over the ${maxMemberBytes.toLocaleString('en-US')} expected at most`);
    return 'member';
  };

  const finish = (b: Body): void => {
    body = b.pad > 0 ? { kind: 'skip', name: b.name, left: b.pad, pad: 0, into: null, at: 0 } : null;
    if (b.kind === 'member') members.set(b.name, b.into!);
    else if (b.kind === 'pax') next = paxRecords(b.into!, refuse);
    else if (b.kind === 'long-name') next = { path: cString(b.into!, 0, b.into!.length) };
  };

  return {
    push(chunk: Uint8Array): void {
      let i = 0;
      while (i < chunk.length && !ended) {
        if (!body) {
          const take = Math.min(BLOCK - have, chunk.length - i);
          header.set(chunk.subarray(i, i + take), have);
          have += take;
          i += take;
          offset += take;
          if (have === BLOCK) {
            have = 0;
            onHeader();
          }
          continue;
        }
        const b: Body = body;
        const take = Math.min(b.left, chunk.length - i);
        if (b.into) b.into.set(chunk.subarray(i, i + take), b.at);
        b.at += take;
        b.left -= take;
        i += take;
        offset += take;
        if (b.left === 0) finish(b);
      }
    },
    end(): Map<string, Uint8Array> {
      const b: Body | null = body;
      if (b)
        throw refuse(
          `it ends inside ${b.kind === 'skip' ? 'an entry' : `the entry ${quoted(b.name)}`} (${b.left} bytes missing at byte ${offset}): it is truncated`,
        );
      if (have > 0) throw refuse(`it ends inside a header at byte ${offset}: it is truncated`);
      return members;
    },
  };
}

/** Entry types a dataset archive never needs, and what they are. */
const REFUSED_TYPES: Readonly<Record<string, string>> = {
  '1': 'a hard link',
  '2': 'a symbolic link',
  '3': 'a character device',
  '4': 'a block device',
  '6': 'a FIFO',
  S: 'a GNU sparse file',
};

/** Refuses a name that could leave the destination folder: absolute, a drive letter, or with a '..' part. */
function checkName(name: string, refuse: (what: string) => PcError): void {
  const parts = name.split(/[/\\]/);
  if (name === '' || /^[/\\]/.test(name) || /^[A-Za-z]:/.test(name) || parts.includes('..') || name.includes('\0'))
    throw refuse(`its entry ${quoted(name)} would be written outside the destination folder (an absolute path or a '..' part)`);
}

/** The name without leading './' (tar -C dir . writes them) and without a directory's trailing '/'. */
function stripDot(name: string): string {
  let n = name;
  while (n.startsWith('./')) n = n.slice(2);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** ustar's name, with its prefix field when the magic is POSIX "ustar\0" (GNU's "ustar  \0" uses those bytes for times). */
function headerName(h: Uint8Array): string {
  const name = cString(h, 0, 100);
  const posix = cString(h, 257, 263) === 'ustar' && h[262] === 0;
  const prefix = posix ? cString(h, 345, 500) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function cString(bytes: Uint8Array, from: number, to: number): string {
  let end = from;
  while (end < to && bytes[end] !== 0) end++;
  return new TextDecoder().decode(bytes.subarray(from, end));
}

/** The header's stored checksum must equal the sum of its bytes with the checksum field read as spaces (unsigned, or signed as old tars wrote it). */
function checkChecksum(h: Uint8Array, at: number, refuse: (what: string) => PcError): void {
  const stored = octal(h, 148, 156);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : h[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  if (stored !== unsigned && stored !== signed)
    throw refuse(
      `the header at byte ${at} has checksum ${stored ?? 'field unreadable'} but its bytes sum to ${unsigned}: it is not a tar archive or is corrupt`,
    );
}

/** The entry size: octal digits, or GNU's base-256 (first byte 0x80) for sizes past 8 GiB. */
function sizeField(h: Uint8Array, at: number, refuse: (what: string) => PcError): number {
  if (h[124] === 0x80) {
    let v = 0;
    for (let i = 125; i < 136; i++) v = v * 256 + h[i];
    if (Number.isSafeInteger(v)) return v;
  } else {
    const v = octal(h, 124, 136);
    if (v !== null) return v;
  }
  throw refuse(`the header at byte ${at} has an unreadable size field`);
}

/** An octal number field (digits, ended by NUL or space, leading spaces allowed), or null. */
function octal(h: Uint8Array, from: number, to: number): number | null {
  const text = String.fromCharCode(...h.subarray(from, to))
    .replace(/\0.*$/s, '')
    .trim();
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : text === '' ? 0 : null;
}

/** A pax header's "LEN key=value\n" records; only path and size matter here. */
function paxRecords(data: Uint8Array, refuse: (what: string) => PcError): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let at = 0;
  while (at < data.length) {
    let sp = at;
    while (sp < data.length && data[sp] !== 0x20) sp++;
    const len = Number.parseInt(new TextDecoder().decode(data.subarray(at, sp)), 10);
    if (!(len > sp - at + 1) || at + len > data.length || data[at + len - 1] !== 0x0a)
      throw refuse(`a pax header record at byte ${at} of its header is malformed`);
    const record = new TextDecoder().decode(data.subarray(sp + 1, at + len - 1));
    const eq = record.indexOf('=');
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === 'path') out.path = value;
    if (key === 'size') {
      if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw refuse(`a pax header gives the size ${quoted(value)}`);
      out.size = Number(value);
    }
    at += len;
  }
  return out;
}
