/**
 * Reading input files (Node) so that no path can hang the CLI, exhaust its
 * memory or crash it: the file is opened without blocking, must be a regular
 * file (not a folder, device, FIFO or socket: a link to /dev/zero or a named
 * pipe would otherwise be read forever), and its size is checked against a cap
 * before anything is allocated. Every failure is a one-line PcError('data')
 * naming the option and the path.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { PcError } from '../errors.ts';
import { fsReason } from './fs-errors.ts';

/** Largest checkpoint read: 2 GiB, the most node:fs reads into one buffer (a 784-…-10 MNIST model is under 1 MB). */
export const CHECKPOINT_MAX_BYTES = 2 ** 31 - 1;

/** A read failure as a one-line PcError('data'): `--model: cannot read x: permission denied (EACCES). …`. */
export function readError(e: unknown, flag: string, path: string): PcError {
  const code = typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' ? (e as { code: string }).code : '';
  if (code === 'ENOENT') return new PcError('data', `${flag}: ${path} does not exist.`);
  const [what, todo] = fsReason(code, true) ?? [`${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 'Check the file.'];
  return new PcError('data', `${flag}: cannot read ${path}: ${what}${code ? ` (${code})` : ''}. ${todo}`);
}

/**
 * Whether `path` (named by `flag`) is a folder: true, false for anything
 * else, null when nothing is there. Any other failure (no permission, a file
 * on the way, a link loop) is readError's PcError('data').
 */
export function isFolder(path: string, flag: string): boolean | null {
  try {
    return statSync(path).isDirectory();
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return null;
    throw readError(e, flag, path);
  }
}

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice()) return 'a character device (such as /dev/zero)';
  if (s.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** How readFileChecked and readFileIfPresent read a file: the flag and kind named in errors, a size cap, and an optional check of the first bytes. */
export interface ReadOptions {
  /** The option that named the file, for messages ('--model'). */
  readonly flag: string;
  /** Files larger than this are refused before reading. */
  readonly maxBytes: number;
  /** What the file is, with its article, for messages ('a checkpoint', 'an IDX'). */
  readonly kind: string;
  /**
   * Called with the first `headBytes` bytes (fewer if the file is shorter) and
   * the file's size before the rest is read: it may throw to refuse the file
   * early, e.g. when the header states a size the file cannot have.
   */
  readonly head?: {
    /** How many leading bytes `check` receives. */
    readonly bytes: number;
    /** Throws (a PcError) to refuse the file from its first bytes and its size. */
    readonly check: (head: Uint8Array, size: number) => void;
  };
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them.
 * Throws PcError('data') naming `flag` and `path` for a missing file, a
 * folder, a device, a pipe, a file over the cap, or any read error.
 */
export function readFileChecked(path: string, options: ReadOptions): Uint8Array {
  return readFile(path, options, false)!;
}

/** As readFileChecked, but null when nothing exists at `path`. */
export function readFileIfPresent(path: string, options: ReadOptions): Uint8Array | null {
  return readFile(path, options, true);
}

function readFile(path: string, options: ReadOptions, optional: boolean): Uint8Array | null {
  const { flag, maxBytes, kind } = options;
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever, before fstat could refuse it.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    if (optional && (e as { code?: unknown }).code === 'ENOENT') return null;
    throw readError(e, flag, path);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new PcError('data', `${flag}: ${path} is ${kindOf(stat)}; expected ${kind} file. Name a regular file.`);
    if (stat.size > maxBytes)
      throw new PcError(
        'data',
        `${flag}: ${path} is ${stat.size.toLocaleString('en-US')} bytes; ${kind} file may be at most ${maxBytes.toLocaleString('en-US')} bytes. Is this the right file?`,
      );
    // Read what fstat reported and no more: a file that grows while being read cannot make us read forever.
    const bytes = new Uint8Array(stat.size);
    let got = 0;
    const fill = (upTo: number) => {
      while (got < upTo) {
        const n = readSync(fd, bytes, got, upTo - got, got);
        if (n === 0) break; // the file shrank: the decoder reports it as truncated
        got += n;
      }
    };
    if (options.head) {
      fill(Math.min(options.head.bytes, stat.size));
      options.head.check(bytes.subarray(0, got), stat.size);
    }
    fill(stat.size);
    return got === bytes.length ? bytes : bytes.subarray(0, got);
  } catch (e) {
    throw e instanceof PcError ? e : readError(e, flag, path);
  } finally {
    closeSync(fd);
  }
}
