/** File output that never leaves a half-written file behind (Node). */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { PcError } from '../errors.ts';
import { type Checkpoint, decodeCheckpoint } from '../train/index.ts';

/** Writes `data` to `path` atomically: a temporary file in the same directory, fsync, then rename. */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Reads and validates a checkpoint file. */
export function readCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new PcError('data', code === 'ENOENT' ? `--model: ${path} does not exist.` : `--model: cannot read ${path} (${code ?? String(e)}).`);
  }
  return decodeCheckpoint(bytes, path);
}
