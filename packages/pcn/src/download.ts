/**
 * Fetching a standard dataset (Node): each file from the first mirror that
 * serves bytes with the expected SHA-256. A file is streamed into a
 * temporary file beside its destination while it is hashed, and renamed into
 * place only once its sum matches: a partial or wrong download leaves nothing
 * behind. Files already present with the right sum are kept. An archive
 * (CIFAR-10's .tar.gz) is then read whole, and only the members its source
 * names are written, each atomically, under names taken from the source and
 * never from the archive. Only the explicit `pcn data download` command
 * downloads anything.
 */

import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatasetSource } from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { fsError, makeFolders, readFileIfPresent } from 'predictive-coding/node';
import { writeFileAtomic } from './io.ts';
import { readTarGz } from './untar.ts';

export interface DownloadReport {
  /** The file, or for 'extracted' the folder written. */
  readonly file: string;
  readonly status: 'present' | 'downloaded' | 'extracted';
  /** Bytes of the file, or of every member extracted. */
  readonly bytes: number;
  readonly from?: string;
}

/** The largest dataset file fetched or checked in place (MNIST's largest .gz is under 10 MB, CIFAR-10's tarball 170 MB). */
const DATASET_FILE_MAX_BYTES = 2 ** 28;

/** The largest archive member extracted (a CIFAR-10 batch is 30,730,000 bytes). */
const MEMBER_MAX_BYTES = 2 ** 27;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Downloads every file of `source` into `dir`, and extracts the members of
 * an archive source into `dir/<extract.folder>`; throws PcError('data') if a
 * file cannot be fetched with the right sum or the archive is refused.
 */
export async function downloadDataset(source: DatasetSource, dir: string, onFile?: (r: DownloadReport) => void): Promise<DownloadReport[]> {
  const reports: DownloadReport[] = [];
  const report = (r: DownloadReport) => {
    reports.push(r);
    onFile?.(r);
  };
  for (const [file, sum] of Object.entries(source.sha256)) {
    const path = join(dir, file);
    // Read like every input (read-file.ts): a folder, pipe or device of this name is refused, not read forever.
    const have = readFileIfPresent(path, { flag: '--dir', maxBytes: DATASET_FILE_MAX_BYTES, kind: 'a dataset file' });
    if (have && sha256Hex(have) === sum) report({ file, status: 'present', bytes: have.length });
    else report(await fetchFromMirrors(source.mirrors, file, sum, path));
    if (source.extract) report(await extractArchive(path, file, dir, source.extract));
  }
  return reports;
}

/** `file` from the first of `mirrors` that serves it with SHA-256 `sum`, written to `path`; the failures of every mirror otherwise. */
async function fetchFromMirrors(mirrors: readonly string[], file: string, sum: string, path: string): Promise<DownloadReport> {
  const failures: string[] = [];
  for (const mirror of mirrors) {
    let url = `${mirror}: ${file}`;
    try {
      // Inside the try: a mirror that is no URL (the CLI's parser refuses one) is that mirror's failure, not a TypeError.
      url = new URL(file, mirror.endsWith('/') ? mirror : `${mirror}/`).href;
      const res = await fetch(url);
      if (!res.ok) {
        failures.push(`${url}: HTTP ${res.status}`);
        continue;
      }
      const got = await saveIfSum(res, path, sum);
      if (typeof got === 'string') failures.push(`${url}: ${got}`);
      else return { file, status: 'downloaded', bytes: got.bytes, from: url };
    } catch (e) {
      if (e instanceof PcError) throw e; // the destination cannot be written: no mirror can help
      failures.push(`${url}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}`);
    }
  }
  throw new PcError('data', `could not download ${file}: ${failures.join('; ')}. Nothing was written for it; check the network or pass --mirror.`);
}

/**
 * Streams `res`'s body into a temporary file beside `path`, hashing it, and
 * renames it to `path` if its SHA-256 is `sum`; otherwise removes it and
 * returns why. A body over DATASET_FILE_MAX_BYTES is cut off and refused.
 * File-system failures throw fsError's PcError naming `path`.
 */
async function saveIfSum(res: Response, path: string, sum: string): Promise<{ bytes: number } | string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  const tooBig = `the file is over ${DATASET_FILE_MAX_BYTES.toLocaleString('en-US')} bytes, more than any dataset file here`;
  if (declared > DATASET_FILE_MAX_BYTES) {
    await res.body?.cancel();
    return tooBig;
  }
  const tmp = `${path}.part-${process.pid}-${Date.now()}`;
  let fd: number | null = null;
  let kept = false;
  const fs = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      throw fsError(e, 'write', path, '--dir');
    }
  };
  try {
    fs(() => makeFolders(dirname(path)));
    fd = fs(() => openSync(tmp, 'wx'));
    const hash = createHash('sha256');
    let bytes = 0;
    const reader = res.body?.getReader();
    for (;;) {
      const chunk = reader ? await reader.read() : { done: true as const, value: undefined };
      if (chunk.done) break;
      bytes += chunk.value.length;
      if (bytes > DATASET_FILE_MAX_BYTES) {
        await reader?.cancel();
        return tooBig;
      }
      hash.update(chunk.value);
      for (let off = 0; off < chunk.value.length; ) off += fs(() => writeSync(fd!, chunk.value, off, chunk.value.length - off));
    }
    const got = hash.digest('hex');
    if (got !== sum) return `SHA-256 ${got} is not the expected ${sum}`;
    fs(() => fsyncSync(fd!));
    fs(() => closeSync(fd!));
    fd = null;
    fs(() => renameSync(tmp, path));
    kept = true;
    return { bytes };
  } finally {
    if (fd !== null) closeSync(fd);
    if (!kept) rmSync(tmp, { force: true });
  }
}

/**
 * Writes the members `extract` names from the verified archive at `path`
 * into `dir/<extract.folder>`, each atomically, once the whole archive has
 * been read and checked (untar.ts): a refused archive writes nothing.
 */
async function extractArchive(path: string, file: string, dir: string, extract: NonNullable<DatasetSource['extract']>): Promise<DownloadReport> {
  const inArchive = (m: string) => `${extract.folder}/${m}`;
  const members = await readTarGz(path, file, new Set(extract.members.map(inArchive)), MEMBER_MAX_BYTES);
  const missing = extract.members.filter((m) => !members.has(inArchive(m)));
  if (missing.length > 0)
    throw new PcError(
      'data',
      `${file}: the archive has no ${missing.map(inArchive).join(', ')}; it is not the expected dataset archive, and nothing was extracted. Download it again.`,
    );
  let bytes = 0;
  for (const m of extract.members) {
    const data = members.get(inArchive(m))!;
    writeFileAtomic(join(dir, extract.folder, m), data, '--dir');
    bytes += data.length;
  }
  return { file: `${extract.folder}/`, status: 'extracted', bytes };
}
