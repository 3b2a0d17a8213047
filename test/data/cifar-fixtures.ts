/** Small CIFAR-10 batch files in the official binary layout, for the loader and download tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CIFAR_RECORD_BYTES, CIFAR_TEST_FILE, CIFAR_TRAIN_FILES } from '../../packages/predictive-coding/src/data/index.ts';

/**
 * `n` records: record i has label (i + first) mod 10, and byte p of its plane
 * k (k = 0 red, 1 green, 2 blue) is (7·(i + first) + 85·k + p) mod 256.
 */
export function cifarBatch(n: number, first = 0): Uint8Array {
  const out = new Uint8Array(n * CIFAR_RECORD_BYTES);
  for (let i = 0; i < n; i++) {
    const at = i * CIFAR_RECORD_BYTES;
    out[at] = (i + first) % 10;
    for (let k = 0; k < 3; k++) for (let p = 0; p < 1024; p++) out[at + 1 + k * 1024 + p] = (7 * (i + first) + 85 * k + p) % 256;
  }
  return out;
}

/** The six batch files, `perBatch` records each (training records numbered on across the five), in `dir` (created). */
export function writeCifarDir(dir: string, perBatch = 2, testCount = 3): void {
  mkdirSync(dir, { recursive: true });
  for (const [b, f] of CIFAR_TRAIN_FILES.entries()) writeFileSync(join(dir, f), cifarBatch(perBatch, b * perBatch));
  writeFileSync(join(dir, CIFAR_TEST_FILE), cifarBatch(testCount, 100));
}
