/**
 * Fetching a standard dataset (Node): each file from the first mirror that
 * serves bytes with the expected SHA-256, written atomically; files already
 * present with the right sum are kept. Only the explicit `pcn data download`
 * command downloads anything.
 */

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DatasetSource } from '../data/index.ts';
import { PcError } from '../errors.ts';
import { writeFileAtomic } from './io.ts';
import { readFileIfPresent } from './read-file.ts';

export interface DownloadReport {
  readonly file: string;
  readonly status: 'present' | 'downloaded';
  readonly bytes: number;
  readonly from?: string;
}

/** The largest dataset file checked in place (MNIST's largest .gz is under 10 MB). */
const DATASET_FILE_MAX_BYTES = 2 ** 28;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Downloads every file of `source` into `dir`; throws PcError('data') if a file cannot be fetched with the right sum. */
export async function downloadDataset(source: DatasetSource, dir: string, onFile?: (r: DownloadReport) => void): Promise<DownloadReport[]> {
  const reports: DownloadReport[] = [];
  for (const [file, sum] of Object.entries(source.sha256)) {
    const path = join(dir, file);
    // Read like every input (read-file.ts): a folder, pipe or device of this name is refused, not read forever.
    const have = readFileIfPresent(path, { flag: '--dir', maxBytes: DATASET_FILE_MAX_BYTES, kind: 'a dataset file' });
    if (have && sha256Hex(have) === sum) {
      const r = { file, status: 'present', bytes: have.length } as const;
      reports.push(r);
      onFile?.(r);
      continue;
    }
    const failures: string[] = [];
    let done: DownloadReport | undefined;
    for (const mirror of source.mirrors) {
      let url = `${mirror}: ${file}`;
      try {
        // Inside the try: a mirror that is no URL (the CLI's parser refuses one) is that mirror's failure, not a TypeError.
        url = new URL(file, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
        const res = await fetch(url);
        if (!res.ok) {
          failures.push(`${url}: HTTP ${res.status}`);
          continue;
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        const got = sha256Hex(bytes);
        if (got !== sum) {
          failures.push(`${url}: SHA-256 ${got} is not the expected ${sum}`);
          continue;
        }
        writeFileAtomic(path, bytes);
        done = { file, status: 'downloaded', bytes: bytes.length, from: url };
        break;
      } catch (e) {
        failures.push(`${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
      }
    }
    if (!done) throw new PcError('data', `could not download ${file}: ${failures.join('; ')}. Nothing was written for it; check the network or pass --mirror.`);
    reports.push(done);
    onFile?.(done);
  }
  return reports;
}
