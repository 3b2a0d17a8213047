/**
 * The safetensors header, parsed rather than cast: its length is checked
 * before anything is decoded, the JSON is checked for nesting and duplicate
 * keys before any recursive code sees it, and every entry is checked against
 * the format's schema (valibot). Everything here throws through `bad`, which
 * makes a PcError('data') naming the file.
 */
import * as v from 'valibot';
import type { PcError } from '../errors.ts';
import { oneLine, quoted } from '../printable.ts';

/** The largest header the reference reader (safetensors, Rust) accepts: 100,000,000 bytes. */
export const MAX_HEADER_BYTES = 100_000_000;

/**
 * Deepest nesting of arrays and objects accepted in the header and in the
 * JSON metadata fields. Ours nest 3 deep; the bound keeps recursive code
 * (validators, JSON.stringify) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 64;

/** Makes the error for one problem; the caller prefixes the file name. */
export type Bad = (what: string) => PcError;

/** One tensor of the header, as the file states it (not yet checked against the config). */
export interface HeaderTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

export interface ParsedHeader {
  readonly metadata: Readonly<Record<string, string>>;
  /** In file order. */
  readonly tensors: readonly HeaderTensor[];
}

/** How every message about a malformed checkpoint ends. */
export const FORGED = 'The file is corrupt or forged.';

/**
 * The header length stated by the first 8 bytes of a file of `total` bytes
 * (default: all of `bytes`); refuses a short file, a header over
 * MAX_HEADER_BYTES, or one past the end.
 */
export function headerLengthOf(bytes: Uint8Array, bad: Bad, total = bytes.length): number {
  // bytes can be shorter than total when a file shrinks while it is read.
  if (total < 8 || bytes.length < 8)
    throw bad(`${Math.min(total, bytes.length)} bytes is too short for a safetensors file (8-byte header length first). The file is truncated or empty.`);
  // Compared as a BigInt before any conversion: a u64 above 2^53 must not round into range.
  const claimed = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (claimed > BigInt(MAX_HEADER_BYTES))
    throw bad(
      `the header claims ${claimed} bytes; safetensors headers are at most ${MAX_HEADER_BYTES} bytes (the reference reader's limit). The file is corrupt or not a safetensors checkpoint.`,
    );
  const n = Number(claimed);
  if (n > total - 8) throw bad(`the header claims ${n} bytes but only ${total - 8} follow. The file is truncated or not a safetensors checkpoint.`);
  return n;
}

/**
 * Parses JSON `text` (called `what` in messages) and refuses nesting deeper
 * than MAX_JSON_DEPTH and any object that names a key twice (JSON.parse
 * silently keeps the last; other readers keep the first).
 */
export function parseStrictJson(text: string, what: string, bad: Bad): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw bad(`${what} is not valid JSON (${oneLine(e instanceof Error ? e.message : String(e), 100)}). ${FORGED}`);
  }
  const problem = scanJson(text);
  if (problem === 'deep') throw bad(`${what} nests deeper than ${MAX_JSON_DEPTH} levels. ${FORGED}`);
  if (problem !== null) throw bad(`${what} names ${quoted(problem)} twice; JSON readers disagree on which one wins. ${FORGED}`);
  return value;
}

/**
 * One pass over valid JSON text: 'deep' if it nests deeper than
 * MAX_JSON_DEPTH, else the first key an object repeats, else null.
 * Iterative, so no input can exhaust the stack.
 */
function scanJson(text: string): string | 'deep' | null {
  const open: (Set<string> | null)[] = []; // a Set of keys per open object, null per open array
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      const keys = open.at(-1);
      if (!keys) continue;
      let j = i + 1;
      while (j < text.length && ' \t\n\r'.includes(text[j])) j++;
      if (text[j] !== ':') continue;
      const key = JSON.parse(text.slice(start, i + 1)) as string; // decodes escapes: "\u0061" and "a" are one key
      if (keys.has(key)) return key;
      keys.add(key);
    } else if (c === 0x7b || c === 0x5b) {
      open.push(c === 0x7b ? new Set() : null);
      if (open.length > MAX_JSON_DEPTH) return 'deep';
    } else if (c === 0x7d || c === 0x5d) open.pop();
  }
  return null;
}

const index = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(Number.MAX_SAFE_INTEGER));
/** A tensor entry as the safetensors format defines it; this library writes only F32. */
const TensorEntry = v.strictObject({ dtype: v.literal('F32'), shape: v.array(index), data_offsets: v.strictTuple([index, index]) });
/** `__metadata__`: strings only, as the format requires. */
const Metadata = v.record(v.string(), v.string());

/** Checks a parsed header against the safetensors schema; the tensors are returned in file order. */
export function parseHeader(raw: unknown, bad: Bad): ParsedHeader {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw bad(`the header must be a JSON object of tensors and __metadata__, got ${quoted(JSON.stringify(raw), 40)}. ${FORGED}`);
  let metadata: Record<string, string> = {};
  const tensors: HeaderTensor[] = [];
  // Own keys of the parsed object, so a key such as "__proto__" is seen, not dropped.
  for (const [name, value] of Object.entries(raw)) {
    if (name === '__metadata__') {
      // valibot's record() takes an array as a record of its indices.
      if (Array.isArray(value)) throw bad(`header["__metadata__"]: expected Object but received Array. ${FORGED}`);
      metadata = check(Metadata, value, [name], bad);
      continue;
    }
    const e = check(TensorEntry, value, [name], bad);
    tensors.push({ name, shape: e.shape, begin: e.data_offsets[0], end: e.data_offsets[1] });
  }
  return { metadata, tensors };
}

function check<S extends v.GenericSchema>(schema: S, value: unknown, at: readonly (string | number)[], bad: Bad): v.InferOutput<S> {
  const r = v.safeParse(schema, value);
  if (r.success) return r.output;
  const issue = r.issues[0];
  const path = [...at, ...(issue.path ?? []).map((p) => p.key as string | number)];
  // Tensor and metadata names in brackets (any string), a tensor's own fields as .field: header["layers.1.bias"].shape[0]
  const names = (k: string | number, i: number) => i === 0 || path[0] === '__metadata__' || !/^[A-Za-z_]\w*$/.test(String(k));
  const where = `header${path.map((k, i) => (typeof k === 'number' ? `[${k}]` : names(k, i) ? `[${quoted(k)}]` : `.${k}`)).join('')}`;
  const expected = issue.expected ?? issue.type.replace(/_/g, ' ');
  throw bad(`${where}: expected ${oneLine(expected, 40)} but received ${oneLine(issue.received, 40)}. ${FORGED}`);
}
