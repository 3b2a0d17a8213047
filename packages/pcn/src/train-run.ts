/**
 * A `pcn train` run once its inputs are checked and its folder exists: the
 * epochs (a checkpoint after each, the metrics log, the model and plots at the
 * end) or one streaming pass. SIGINT, SIGTERM and SIGHUP stop either after the
 * current batch; everything is still written, and the exit status is 128 +
 * the signal's number (stop.ts).
 */

import { join, resolve } from 'node:path';
import { feedbackAngles, type Model, type Workspace } from 'predictive-coding/core';
import type { Split } from 'predictive-coding/data';
import type { Backend, BackendArray } from 'predictive-coding/kernels';
import { createRng, restoreRng } from 'predictive-coding/random';
import {
  type EpochStats,
  encodeCheckpoint,
  fit,
  GENERATIVE_EVAL_RELAX,
  hostCopy,
  type LearningSchedule,
  type OptimizerState,
  stream,
} from 'predictive-coding/train';
import { CHART_STYLE } from './chart-style.ts';
import type { TrainOptions } from './commands/train.ts';
import { appendFileDurable, writeFileAtomic } from './io.ts';
import { lineChartSvg } from './plots.ts';
import { count } from './plural.ts';
import type { Progress } from './progress.ts';
import { CHECKPOINT_FILE, METRICS_FILE, MODEL_FILE, metricsUpTo, missingRows, type Resumed, RUN_KEYS, runMetadata } from './run-state.ts';
import { listenForStop, type StopRequest } from './stop.ts';
import { warn } from './warn.ts';

export interface Run<T extends BackendArray = Float32Array> {
  readonly opts: TrainOptions;
  readonly data: Split;
  readonly backend: Backend<T>;
  readonly model: Model<T>;
  readonly opt: OptimizerState<T>;
  readonly ws: Workspace<T>;
  readonly out: string;
  readonly log: (line: string) => void;
  readonly fingerprint: string;
  readonly batch: number;
  readonly resumed: Resumed | null;
  /** Set by SIGINT, SIGTERM or SIGHUP (installed before the run's first line, so no signal falls between). */
  readonly stop: StopRequest;
  readonly progress: Progress;
}

/** Writes the run's model and optimiser state, with `metadata`, atomically to `file` in its folder (read from a GPU first). */
async function saveCheckpoint<T extends BackendArray>({ backend, model, opt, out }: Run<T>, file: string, metadata: Record<string, string>): Promise<void> {
  const host = await hostCopy(backend, model, opt);
  writeFileAtomic(join(out, file), encodeCheckpoint(host.model, { optimizer: host.opt, metadata }));
}

/** The command as typed, for the checkpoint's metadata (everything after the script, so `pcn --debug train …` is not `pcn train train …`). */
function commandLine(): string {
  return `pcn ${process.argv.slice(2).join(' ')}`.trim();
}

/** Asks the run to stop on SIGINT/SIGTERM/SIGHUP after the current batch (or stream step), and says so; dispose() it when the run ends. */
export function stopOnSignals(progress: Progress): StopRequest {
  return listenForStop((signal) => {
    progress.stop();
    const again = signal === 'SIGINT' ? 'Ctrl-C again' : `${signal} again`;
    // A second delivery of the same signal (npm run relays it) comes within SAME_REQUEST_MS and is ignored (stop.ts).
    process.stderr.write(`\n${signal}: stopping after this batch and saving (${again}, a second or more from now, quits without saving)\n`);
  });
}

export async function trainStreaming<T extends BackendArray>(run: Run<T>): Promise<void> {
  const { opts, data, model, opt, ws, out, log, stop } = run;
  const metricsPath = join(out, METRICS_FILE);
  const r = await stream(model, opt, ws, data.train, {
    stepsPerExample: opts.streamSteps,
    // Bottom-up order: a new input reaches every layer within one step.
    relax: { steps: opts.streamSteps, lr: opts.lrX, momentum: opts.momentumX, tolerance: 0, order: 'bottom-up' },
    seed: opts.seed,
    streams: opts.streams,
    stillness: opts.stillness || undefined,
    signal: stop,
    onWarning: warn,
    progressEvery: 5000,
    onProgress: (seen, acc) => log(`streamed ${count(seen, 'example')}, prequential accuracy ${(100 * acc).toFixed(2)} %`),
  });
  // Stopped before the first example: there is no accuracy to report, and null says so (NaN is not JSON).
  const acc = r.seen > 0 ? r.prequentialAccuracy : null;
  const row = { seen: r.seen, prequential_acc: acc, seconds: r.seconds };
  appendFileDurable(metricsPath, `${JSON.stringify(row)}\n`);
  if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
  const metadata: Record<string, string> = {
    command: commandLine(),
    data: data.source,
    prequential_acc: acc === null ? '' : String(acc),
    created: new Date().toISOString(),
  };
  if (stop.by) metadata.interrupted = `${stop.by} after ${r.seen} of ${data.train.count} examples`;
  await saveCheckpoint(run, MODEL_FILE, metadata);
  if (acc !== null) log(`prequential accuracy over ${count(r.seen, 'streamed example')}: ${(100 * acc).toFixed(2)} % in ${r.seconds.toFixed(1)} s`);
  log(`wrote ${join(out, MODEL_FILE)}, ${METRICS_FILE}`);
  if (stop.by) {
    log(`stopped by ${stop.by} after ${r.seen.toLocaleString('en-US')} of ${count(data.train.count, 'example')}`);
    process.exitCode = stop.exitCode();
  }
}

export async function trainEpochs<T extends BackendArray>(run: Run<T>): Promise<void> {
  const { opts, data, model, opt, ws, out, log, resumed, stop, progress } = run;
  const metricsPath = join(out, METRICS_FILE);
  // A resumed run keeps the rows of the epochs its checkpoint holds and appends after them; a new one starts the log with its first row.
  const earlier = resumed ? metricsUpTo(out, resumed.epoch) : [];
  const lacking = resumed && missingRows(out, earlier, resumed.epoch);
  if (lacking) warn(lacking);
  const startEpoch = resumed?.epoch ?? 0;
  const rng = resumed ? restoreRng(resumed.rng) : createRng(opts.seed);
  const runOptions = Object.fromEntries(
    RUN_KEYS.map((k) => [
      k,
      k === 'layers'
        ? opts.arch === undefined
          ? model.config.sizes
          : undefined
        : k === 'parameterisation'
          ? model.config.parameterisation
          : k === 'data'
            ? dataSpec(opts.data)
            : opts[k],
    ]),
  );
  const command = resumed?.checkpoint.metadata.command ?? commandLine();
  let at = { epoch: startEpoch, batch: 0, batches: 0 };
  let history: EpochStats[];
  try {
    history = await fit(model, opt, ws, data.train, data.test, {
      epochs: opts.epochs,
      startEpoch,
      rng,
      batchSize: run.batch,
      seed: opts.seed,
      lrSchedule: opts.lrSchedule,
      evalRelax: { ...GENERATIVE_EVAL_RELAX, steps: opts.evalSteps },
      train: {
        init: opts.init,
        schedule: opts.schedule as LearningSchedule,
        relax: { steps: opts.steps, lr: opts.lrX, momentum: opts.momentumX, tolerance: 0 },
      },
      signal: stop,
      onWarning: (w) => {
        progress.stop();
        warn(w);
      },
      onBatch: (b) => {
        at = b;
        if (b.batch === 1) progress.start(b.epoch, b.batches);
        progress.update(b.batch, b.energy);
      },
      onEpoch: async (s) => {
        progress.stop();
        // One copy of the weights per epoch (none on an immediate backend, whose arrays are host memory already).
        const host = await hostCopy(run.backend, model, opt);
        const row = epochRow(s, feedbackAngles(host.model));
        // The row first, then the checkpoint: a run killed in between logs the epoch again on resume instead of missing it.
        appendFileDurable(metricsPath, `${JSON.stringify(row)}\n`);
        const metadata = { command, data: data.source, test_acc: String(s.testAccuracy), created: new Date().toISOString() };
        const stored = { ...metadata, ...runMetadata(runOptions, s.epoch, rng.state(), run.fingerprint) };
        writeFileAtomic(join(out, CHECKPOINT_FILE), encodeCheckpoint(host.model, { optimizer: host.opt, metadata: stored }));
        if (opts.json) process.stdout.write(`${JSON.stringify(row)}\n`);
        else
          log(
            `epoch ${s.epoch}/${opts.epochs}  energy ${s.trainEnergy.toFixed(4)}  held-out accuracy ${(100 * s.testAccuracy).toFixed(2)} %  ${s.seconds.toFixed(2)} s`,
          );
      },
    });
  } finally {
    progress.stop();
  }
  const done = startEpoch + history.length;
  const last = history.at(-1);
  const metadata: Record<string, string> = {
    command,
    data: data.source,
    epochs: String(done),
    test_acc: last ? String(last.testAccuracy) : String(earlier.at(-1)?.test_acc ?? ''),
    created: new Date().toISOString(),
  };
  const partial = stop.by !== null && done < opts.epochs;
  if (partial) metadata.interrupted = `${stop.by} in epoch ${at.epoch} after batch ${at.batch} of ${at.batches}`;
  await saveCheckpoint(run, MODEL_FILE, metadata);
  const points = [
    ...earlier.map((r) => ({ epoch: Number(r.epoch), energy: Number(r.train_energy), acc: Number(r.test_acc) })),
    ...history.map((s) => ({ epoch: s.epoch, energy: s.trainEnergy, acc: s.testAccuracy })),
  ];
  const wrote = [join(out, MODEL_FILE)];
  if (done > 0) wrote.push(METRICS_FILE, CHECKPOINT_FILE);
  if (points.length > 0) {
    const energy = points.map((p) => ({ x: p.epoch, y: p.energy }));
    writeFileAtomic(join(out, 'energy.svg'), await lineChartSvg('Training energy', 'epoch', CHART_STYLE.energyTitle, energy, { logY: true, colour: 'energy' }));
    writeFileAtomic(
      join(out, 'accuracy.svg'),
      await lineChartSvg(
        'Held-out accuracy',
        'epoch',
        CHART_STYLE.accuracyTitle,
        points.map((p) => ({ x: p.epoch, y: p.acc })),
        { percent: true, colour: 'accuracy' },
      ),
    );
    wrote.push('energy.svg', 'accuracy.svg');
  }
  if (last) log(`held-out accuracy: ${(100 * last.testAccuracy).toFixed(2)} % (${count(data.test.count, 'example')}) after ${count(done, 'epoch')}`);
  log(`wrote ${wrote.join(', ')}`);
  if (partial) {
    log(
      done > 0
        ? `stopped by ${stop.by} during epoch ${at.epoch}; pcn train --resume ${out} continues after epoch ${done}`
        : `stopped by ${stop.by} during epoch ${at.epoch}, before any epoch ended: there is no checkpoint to resume from`,
    );
    process.exitCode = stop.exitCode();
  }
}

/** The data as the run names it for --resume: a folder as an absolute path, so a resume from elsewhere finds it. */
function dataSpec(spec: string): string {
  return spec === 'mnist-embedded' ? spec : resolve(spec);
}

function epochRow(s: EpochStats, angles: number[]): Record<string, number | number[]> {
  const row: Record<string, number | number[]> = {
    epoch: s.epoch,
    train_energy: round(s.trainEnergy, 6),
    test_acc: round(s.testAccuracy, 6),
    seconds: round(s.seconds, 3),
    lr: s.lr,
  };
  if (angles.length) row.angle_deg = angles.map((a) => round(a, 2));
  return row;
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
