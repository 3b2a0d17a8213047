/**
 * What `pcn train` saves after every epoch so that `--resume DIR` continues
 * bit-identically, and how it reads it back. The checkpoint
 * (DIR/checkpoint.safetensors) holds the weights and the optimiser's moments
 * and step as tensors, and in its metadata (strings, as safetensors requires):
 * `run` (the options that define the run, JSON), `epoch` (epochs completed),
 * `rng` (the shuffling generator's state, JSON) and `data_fingerprint` (so a
 * resume refuses other data). With those, fit() restarts at the next epoch
 * with the same shuffles, the same learning-rate schedule step and the same
 * optimiser state, so nothing differs from a run that never stopped.
 */

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Split } from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { isFolder, readFileIfPresent } from 'predictive-coding/node';
import { parseRngState, type RngState } from 'predictive-coding/random';
import { type Checkpoint, crc32 } from 'predictive-coding/train';
import type { TrainFlags } from './commands/train.ts';
import { readCheckpoint, writeFileAtomic } from './io.ts';
import { fromCli } from './options.ts';
import { count } from './plural.ts';
import { warn } from './warn.ts';

/** The run's final model (also written when a signal stops it), as pcn eval, info and generate read it. */
export const MODEL_FILE = 'model.safetensors';
export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const METRICS_FILE = 'metrics.jsonl';

/**
 * The train options that define a run: --resume restores them, and refuses a
 * flag that would change one. What is left out only decides how and where it
 * runs (--threads, --out, --json, --no-progress).
 */
export const RUN_KEYS = [
  'data',
  'layers',
  'arch',
  'depth',
  'width',
  'parameterisation',
  'orientation',
  'feedback',
  'schedule',
  'activation',
  'outputEnergy',
  'outputWeight',
  'steps',
  'batch',
  'epochs',
  'lrX',
  'momentumX',
  'lrW',
  'weightDecay',
  'weightCap',
  'optimizer',
  'lrSchedule',
  'init',
  'seed',
  'evalSteps',
  // Kernels differ in the last bits of a sum, so another backend would not continue bit-identically.
  'backend',
] as const;

export type RunKey = (typeof RUN_KEYS)[number];

/** Train options as flags name them (for messages). */
export function flagOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** A cheap identity of the data (counts, a CRC of the labels, the sum of the pixels): resuming on other data is refused. */
export function dataFingerprint(data: Split): string {
  const part = (d: Split['train']) => {
    let sum = 0;
    for (let i = 0; i < d.images.length; i++) sum += d.images[i];
    return { count: d.count, features: d.features, classes: d.classes, labels_crc32: crc32(d.labels), pixel_sum: sum };
  };
  return JSON.stringify({ train: part(data.train), test: part(data.test) });
}

/** The checkpoint metadata that resume needs, besides the model and optimiser. */
export function runMetadata(run: Readonly<Record<string, unknown>>, epoch: number, rng: RngState, fingerprint: string): Record<string, string> {
  return { run: JSON.stringify(run), epoch: String(epoch), rng: JSON.stringify(rng), data_fingerprint: fingerprint };
}

export interface Resumed {
  readonly dir: string;
  readonly checkpoint: Checkpoint;
  /** The stored run options. */
  readonly run: Readonly<Record<RunKey, unknown>>;
  readonly epoch: number;
  readonly rng: RngState;
  readonly fingerprint: string;
}

/**
 * Refuses an --out folder that already holds a run: training into it would
 * overwrite that run's model and mix the logs. Resuming is suggested only
 * where there is a checkpoint to resume from (a run stopped in its first
 * epoch, or a streaming run, leaves none).
 */
export function checkFreshOut(out: string): void {
  const dir = resolve(out);
  const found = [MODEL_FILE, CHECKPOINT_FILE, METRICS_FILE].find((f) => existsSync(join(dir, f)));
  if (!found) return;
  if (existsSync(join(dir, CHECKPOINT_FILE)))
    throw new PcError(
      'config',
      `--out: ${dir} already holds a run (${found}). Continue it with --resume ${out}, or choose another folder (or remove that one).`,
    );
  throw new PcError(
    'config',
    `--out: ${dir} already holds a run (${found}) with no ${CHECKPOINT_FILE} to resume from: it stopped before its first epoch ended, or was a streaming run. Choose another folder, or remove that one.`,
  );
}

/** Reads DIR's checkpoint for --resume; every problem is a PcError naming DIR or the file. */
export function readResume(dirArg: string): Resumed {
  const dir = resolve(dirArg);
  const folder = isFolder(dir, '--resume');
  if (folder === null) throw new PcError('config', `--resume: ${dir} does not exist. Pass the folder of a pcn train run (it holds ${CHECKPOINT_FILE}).`);
  if (!folder) throw new PcError('config', `--resume: ${dir} is a file; pass the folder of the run that holds it.`);
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path))
    throw new PcError(
      'config',
      `--resume: ${dir} holds no ${CHECKPOINT_FILE}, so there is nothing to resume: the run stopped before its first epoch ended, was a streaming run, or is not a pcn train run folder.`,
    );
  const checkpoint = readCheckpoint(path, '--resume');
  const meta = checkpoint.metadata;
  const bad = (what: string) => new PcError('data', `${path}: ${what} The file is corrupt or was not written by pcn train; start the run afresh.`);
  let run: unknown;
  try {
    run = JSON.parse(meta.run ?? '');
  } catch {
    throw bad('the metadata holds no valid `run` (the options of the run).');
  }
  if (typeof run !== 'object' || run === null || Array.isArray(run)) throw bad('the metadata `run` is not an object of options.');
  const epoch = Number(meta.epoch);
  if (!/^\d+$/.test(meta.epoch ?? '') || epoch < 1) throw bad(`the metadata \`epoch\` is ${JSON.stringify(meta.epoch)}, not a count of epochs ≥ 1.`);
  if (!checkpoint.optimizer) throw bad('it holds no optimiser state.');
  if (typeof meta.data_fingerprint !== 'string') throw bad('the metadata holds no `data_fingerprint`.');
  return { dir, checkpoint, run: run as Record<RunKey, unknown>, epoch, rng: parseRngState(meta.rng ?? '', path), fingerprint: meta.data_fingerprint };
}

/**
 * The rows of DIR/metrics.jsonl for epochs 1…epoch, in increasing order of
 * epoch. When the file has more (the run was killed after logging an epoch but
 * before its checkpoint was written), a repeated row or a torn last line, it
 * is rewritten to just these rows, so that the resumed run appends after them.
 * Rows of earlier epochs may be missing (a deleted log, a resume that started
 * one afresh): the rows after them are kept all the same (missingRows says
 * which are missing).
 */
/** A metrics log over this size is not a log this CLI wrote (one short line per epoch). */
const METRICS_MAX_BYTES = 64 * 2 ** 20;

export function metricsUpTo(dir: string, epoch: number): Record<string, unknown>[] {
  const path = join(dir, METRICS_FILE);
  // A missing log starts empty; a folder, pipe or device in its place is refused (read-file.ts), never read forever.
  const bytes = readFileIfPresent(path, { flag: '--resume', maxBytes: METRICS_MAX_BYTES, kind: 'a metrics log' });
  const text = bytes ? new TextDecoder().decode(bytes) : '';
  const rows: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      continue;
    }
    const e = (row as { epoch?: unknown } | null)?.epoch;
    const last = rows.length > 0 ? (rows[rows.length - 1].epoch as number) : 0;
    if (Number.isInteger(e) && (e as number) > last && (e as number) <= epoch) rows.push(row as Record<string, unknown>);
  }
  const kept = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (kept !== text) writeFileAtomic(path, kept);
  return rows;
}
/**
 * The warning for a resumed run whose log (`rows`, from metricsUpTo) lacks
 * epochs its checkpoint holds, or null when none is missing: the log and the
 * plots will not have them, and nothing can bring them back.
 */
export function missingRows(dir: string, rows: readonly Record<string, unknown>[], epoch: number): string | null {
  const have = new Set(rows.map((r) => r.epoch));
  const missing: number[] = [];
  for (let e = 1; e <= epoch; e++) if (!have.has(e)) missing.push(e);
  if (missing.length === 0) return null;
  const path = join(dir, METRICS_FILE);
  const one = missing.length === 1;
  return `--resume: ${path} has no ${one ? 'row for epoch' : 'rows for epochs'} ${spans(missing)}${existsSync(path) ? '' : ' (the file is missing)'}, so the log and the plots will lack ${one ? 'it' : 'them'}.`;
}

/** Increasing integers as spans: [1, 2, 3, 5] → '1–3, 5'. */
function spans(values: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === values[j] + 1) j++;
    out.push(j === i ? String(values[i]) : `${values[i]}–${values[j]}`);
    i = j + 1;
  }
  return out.join(', ');
}

/**
 * The options of a resumed run: its stored settings, with --epochs (the new
 * total), --data (the same data moved elsewhere; checked by fingerprint) and
 * the execution flags taken from the command line. Any other flag given must
 * equal the stored setting, or it is a config error.
 */
export function resumeOptions(given: TrainFlags, r: Resumed, cmd?: Command): TrainFlags {
  const where = `the run in ${r.dir}`;
  if (given.out !== undefined) throw new PcError('config', `--resume continues ${where} in its own folder; leave out --out.`);
  const opts: Record<string, unknown> = { ...given };
  for (const key of RUN_KEYS) {
    if (key === 'epochs' || (key === 'data' && fromCli(cmd, 'data'))) continue;
    const stored = checkedStored(key, r, cmd);
    if (key === 'backend' && fromCli(cmd, key) && given.backend !== stored) {
      // The weights and moments carry over; only the last bits of later sums differ.
      warn(
        `--resume: continuing on --backend ${given.backend} ${where}, trained on ${String(stored)}: from the same weights, but not bit-identically (the kernels round differently)`,
      );
      continue;
    }
    if (fromCli(cmd, key) && JSON.stringify(given[key]) !== JSON.stringify(stored))
      throw new PcError(
        'config',
        `--resume: ${flagOf(key)} ${String(given[key])} differs from ${JSON.stringify(stored) ?? 'unset'} in ${where}, and a resumed run keeps its settings. Leave out ${flagOf(key)}, or start a new run.`,
      );
    opts[key] = stored;
  }
  if (opts.schedule === 'streaming') throw new PcError('config', `--resume: ${where} is a streaming run, which is one pass and cannot be resumed.`);
  const stored = checkedStored('epochs', r, cmd) as number;
  const epochs = fromCli(cmd, 'epochs') ? given.epochs : stored;
  if (epochs <= r.epoch)
    throw new PcError(
      'config',
      fromCli(cmd, 'epochs')
        ? `--resume: ${where} has trained ${count(r.epoch, 'epoch')} already; --epochs (the new total) must be more than that, got ${epochs}.`
        : `--resume: ${where} has finished ${r.epoch === 1 ? 'its 1 epoch' : `all its ${r.epoch} epochs`}; pass --epochs N (more than ${r.epoch}) to train on.`,
    );
  opts.epochs = epochs;
  return opts as unknown as TrainFlags;
}

/** A stored run setting, run through the flag's own parser: a checkpoint gets the same checks as the command line. */
function checkedStored(key: RunKey, r: Resumed, cmd?: Command): unknown {
  const value = r.run[key];
  if (
    value === undefined &&
    (key === 'weightCap' || key === 'layers' || key === 'arch' || key === 'depth' || key === 'width' || key === 'parameterisation' || key === 'outputWeight')
  )
    return undefined;
  const option = cmd?.options.find((o) => o.attributeName() === key);
  const text = Array.isArray(value) ? value.join(',') : String(value);
  try {
    const parsed = option?.parseArg ? option.parseArg(text, undefined) : text;
    if (option?.parseArg ? JSON.stringify(parsed) === JSON.stringify(value) : typeof value === 'string') return value;
  } catch {
    // Reported below.
  }
  throw new PcError(
    'data',
    `${join(r.dir, CHECKPOINT_FILE)}: the stored setting ${key} = ${JSON.stringify(value)} is not a valid ${flagOf(key)}. The file is corrupt; start the run afresh.`,
  );
}
