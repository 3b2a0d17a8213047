/** File output that never leaves a half-written file behind (Node). */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { CHECKPOINT_MAX_BYTES, fsError, makeFolders, readFileChecked } from 'predictive-coding/node';
import { type Checkpoint, checkCheckpointStart, decodeCheckpoint } from 'predictive-coding/train';

/**
 * Writes `data` to `path` atomically: a temporary file in the same directory,
 * fsync, then rename. A file-system failure (a folder that is a file, no
 * permission, a full disk …) throws a PcError naming `path` (and `flag`, the
 * option that chose it), and leaves no temporary file behind.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string, flag?: string): void {
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    makeFolders(dirname(path));
    writeDurable(tmp, 'w', data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // The temporary file was never made (its folder is missing or is a file): nothing to clean up.
    }
    throw fsError(e, 'write', path, flag);
  }
}

/** Appends `text` to `path` (created if missing) and flushes it to disk; errors as writeFileAtomic's. */
export function appendFileDurable(path: string, text: string): void {
  try {
    writeDurable(path, 'a', text);
  } catch (e) {
    throw fsError(e, 'write', path);
  }
}

/** Opens `path` with `flags` ('w' or 'a'), writes all of `data`, flushes it to disk and closes it; errors are Node's. */
function writeDurable(path: string, flags: 'w' | 'a', data: Uint8Array | string): void {
  const fd = openSync(path, flags);
  try {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads and validates a checkpoint file: a regular file of at most
 * CHECKPOINT_MAX_BYTES whose first 8 bytes are checked before the rest is
 * read. Throws PcError('data') naming `flag` or the path.
 */
export function readCheckpoint(path: string, flag = '--model'): Checkpoint {
  const head = { bytes: 8, check: (bytes: Uint8Array, size: number) => checkCheckpointStart(bytes, size, path) };
  return decodeCheckpoint(readFileChecked(path, { flag, maxBytes: CHECKPOINT_MAX_BYTES, kind: 'a checkpoint', head }), path);
}
