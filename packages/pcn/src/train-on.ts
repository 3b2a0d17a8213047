/**
 * `pcn train` on a backend of either kind: immediate (wasm, js: typed arrays)
 * or deferred (webgpu: device arrays, numbers read once per batch). The
 * command resolves its flags and data (commands/train.ts); this makes the
 * model, optimiser and workspace on the backend and runs the epochs.
 */
import { type createConfig, initModel, initWorkspace, parameterCount } from 'predictive-coding/core';
import type { Split } from 'predictive-coding/data';
import type { Backend, BackendArray } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';
import { describeArchitecture, initOptimizer, modelFromCheckpoint, restoreOptimizer } from 'predictive-coding/train';
import type { TrainOptions } from './commands/train.ts';
import { count } from './plural.ts';
import { createProgress } from './progress.ts';
import { createRunDir } from './run-dir.ts';
import type { Resumed } from './run-state.ts';
import { type Run, stopOnSignals, trainEpochs, trainStreaming } from './train-run.ts';

/** What `pcn train` resolved before it chose a backend. */
export interface TrainContext {
  readonly opts: TrainOptions;
  readonly config: ReturnType<typeof createConfig>;
  readonly resumed: Resumed | null;
  /** Examples per batch (the streams, streaming). */
  readonly batch: number;
  readonly data: Split;
  readonly log: (line: string) => void;
  readonly fingerprint: string;
  /** The architecture as the header names it. */
  readonly label: string;
  readonly streaming: boolean;
  /** The weight cap (--weight-cap), if any. */
  readonly cap: number | undefined;
}

/** Trains as `ctx` says on `backend`, and disposes of it. */
export async function trainOn<T extends BackendArray>(backend: Backend<T>, ctx: TrainContext): Promise<void> {
  const { opts, config, resumed, batch, data, log, fingerprint, label, streaming, cap } = ctx;
  try {
    const model = resumed ? modelFromCheckpoint(resumed.checkpoint, backend) : initModel(config, backend, createRng(opts.seed));
    const opt = initOptimizer(model, { name: opts.optimizer, lr: opts.lrW, weightDecay: opts.weightDecay, weightCap: cap }, backend);
    if (resumed) restoreOptimizer(resumed.checkpoint, model, opt, backend);
    const ws = initWorkspace(model, batch, backend);
    // The inputs are valid: only now does the run get a folder.
    const dir = resumed ? { path: resumed.dir, removeIfEmpty() {} } : createRunDir(opts.out);
    const progress = createProgress(opts.epochs, opts.progress && !streaming);
    const stop = stopOnSignals(progress);
    const run: Run<T> = { opts, data, backend, model, opt, ws, out: dir.path, log, fingerprint, batch, resumed, stop, progress };
    try {
      const relaxation = streaming
        ? `${count(opts.streams, 'stream')}, k = ${opts.streamSteps} bottom-up steps per example, x step ${opts.lrX}, momentum ${opts.momentumX}, ${opts.stillness ? `stillness θ = ${opts.stillness}` : 'plain Hebbian rule'}`
        : `T=${opts.steps}, batch ${batch}${batch < opts.batch ? ' (all the training examples)' : ''}, x step ${opts.lrX}, momentum ${opts.momentumX}`;
      const examples = streaming
        ? `${count(data.train.count, 'training example')}`
        : `${data.train.count.toLocaleString('en-US')} training / ${data.test.count.toLocaleString('en-US')} held-out examples`;
      log(
        `pcn train: ${label} ${opts.orientation} ${opts.activation}${opts.feedback === 'symmetric' ? '' : `, ${opts.feedback} feedback`}${config.outputWeight === 1 ? '' : `, output weight β ${config.outputWeight}`}, ${opts.schedule} schedule, ${count(parameterCount(config), 'parameter')}, ` +
          `${examples} from ${data.source}; ${relaxation}, ${opts.optimizer} lr ${opts.lrW}, ${backend.name === 'webgpu' ? 'webgpu backend' : `${backend.name} backend × ${count(backend.threads, 'thread')}`}` +
          (resumed ? `; resuming ${dir.path} after epoch ${resumed.epoch} of ${opts.epochs}` : ''),
      );
      if (opts.arch !== undefined && opts.arch !== 'mlp') for (const line of describeArchitecture(config)) log(`  ${line}`);
      await (streaming ? trainStreaming(run) : trainEpochs(run));
    } catch (e) {
      dir.removeIfEmpty();
      throw e;
    } finally {
      stop.dispose();
    }
  } finally {
    backend.dispose();
  }
}
