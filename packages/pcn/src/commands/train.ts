/**
 * `pcn train`: train a PCN on MNIST-style data, with progress, logs, plots, a
 * checkpoint after every epoch, and --resume. SIGINT, SIGTERM and SIGHUP stop
 * it after the current batch; it then still writes the model, the log and the
 * plots, and exits with 128 + the signal's number (stop.ts).
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  createConfig,
  type Feedback,
  type InitMode,
  type Orientation,
  type OutputEnergy,
  PARAMETERISATIONS,
  type Parameterisation,
} from 'predictive-coding/core';
import type { Split } from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { ACTIVATIONS, type Activation, cpuBackendName, createBackend } from 'predictive-coding/kernels';
import { loadDataset } from 'predictive-coding/node';
import {
  ARCHITECTURES,
  architectureOf,
  GENERATIVE_EVAL_RELAX,
  GENERATIVE_MLP,
  type LearningSchedule,
  type LrSchedule,
  MUPC_RESMLP,
  OPTIMIZERS,
  type OptimizerName,
  PCX_MLP,
  SCHEDULES,
} from 'predictive-coding/train';
import { resolveArch } from '../arch.ts';
import { chooseBackend } from '../backend-choice.ts';
import { choice, fromCli, integer, number, positive, seed, sizes, threads } from '../options.ts';
import { count } from '../plural.ts';
import { CHECKPOINT_FILE, checkFreshOut, dataFingerprint, flagOf, readResume, resumeOptions } from '../run-state.ts';
import { type TrainContext, trainOn } from '../train-on.ts';

/** A run's settings, with the schedule's defaults filled in (resolveSchedule). */
export interface TrainOptions {
  data: string;
  layers?: number[];
  /** A preset (ARCHITECTURES) or a JSON file; undefined: a dense chain from --layers. */
  arch?: string;
  depth?: number;
  width?: number;
  parameterisation?: Parameterisation;
  orientation: Orientation;
  feedback: Feedback;
  schedule: LearningSchedule | 'streaming';
  streamSteps: number;
  streams: number;
  stillness: number;
  evalSteps: number;
  activation: Activation;
  outputEnergy: OutputEnergy;
  /** β, the weight of the last layer's energy (undefined: 1, and so in runs stored before it was a flag). */
  outputWeight?: number;
  steps: number;
  batch: number;
  epochs: number;
  lrX: number;
  momentumX: number;
  lrW: number;
  weightDecay: number;
  weightCap?: number;
  optimizer: OptimizerName;
  lrSchedule: LrSchedule;
  init: InitMode;
  seed: number;
  threads: number | 'auto';
  backend: 'cpu' | 'wasm' | 'native' | 'js' | 'webgpu' | 'auto';
  out?: string;
  resume?: string;
  json: boolean;
  progress: boolean;
}

/** Settings whose default depends on --schedule: their flags have no commander default, and resolveSchedule fills them in. */
type ScheduleDependent = 'lrX' | 'momentumX' | 'lrW' | 'streams' | 'streamSteps' | 'stillness';

/** The flags as parsed: a setting whose default depends on --schedule is undefined unless given. */
export type TrainFlags = Omit<TrainOptions, ScheduleDependent> & Partial<Pick<TrainOptions, ScheduleDependent>>;

/** The defaults: the PCX benchmark configuration (DESIGN §3), the library's PCX_MLP preset; generative runs take GENERATIVE_MLP's. */
export const TRAIN_DEFAULTS = {
  data: 'mnist-embedded',
  layers: PCX_MLP.model.sizes.join(','),
  activation: PCX_MLP.model.activation,
  outputEnergy: PCX_MLP.model.outputEnergy,
  steps: PCX_MLP.train.relax.steps,
  batch: PCX_MLP.batchSize,
  epochs: 10,
  lrX: PCX_MLP.train.relax.lr,
  momentumX: PCX_MLP.train.relax.momentum,
  lrW: PCX_MLP.optimizer.lr,
  weightDecay: PCX_MLP.optimizer.weightDecay,
  optimizer: PCX_MLP.optimizer.name,
  lrSchedule: PCX_MLP.lrSchedule,
  generativeLayers: GENERATIVE_MLP.model.sizes.join(','),
  /** Weight cap of generative models (GENERATIVE_MLP says why). */
  generativeWeightCap: GENERATIVE_MLP.optimizer.weightCap,
  /** The generative net's x step: its wide image error makes the relaxation stiffer. */
  generativeLrX: GENERATIVE_MLP.train.relax.lr,
  init: PCX_MLP.train.init,
  seed: 0,
} as const;

/**
 * What --schedule streaming (and pcn experiment streaming) takes where no flag
 * is given: the settings measured on MNIST. With the standard schedule's x
 * step (0.05, momentum 0.9), one stream and 8 steps the stream learns nothing
 * (9.6 % prequential on the embedded digits). One hidden layer: with 48
 * streams, θ = 0.001 and AdamW 3e-4 the never-reset stream reaches 94.0 % with
 * 784-256-10 (k = 20) but 91.4 % with the deeper 784-128-128-128-10 (k = 30):
 * every extra layer adds transients after each input switch that the weights
 * learn from.
 */
export const STREAMING_DEFAULTS = {
  layers: '784,256,10',
  streams: 48,
  /** k: bottom-up relaxation steps per example, the weights learning after each. */
  streamSteps: 20,
  lrX: 0.8,
  momentumX: 0,
  lrW: 3e-4,
  stillness: 0.001,
} as const;

/** What --arch resmlp takes where no flag is given: the library's MUPC_RESMLP preset (`pcn experiment depth` measured it). */
export const RESMLP_DEFAULTS = {
  activation: MUPC_RESMLP.model.activation,
  optimizer: MUPC_RESMLP.optimizer.name,
  lrW: MUPC_RESMLP.optimizer.lr,
  weightDecay: MUPC_RESMLP.optimizer.weightDecay,
  lrSchedule: MUPC_RESMLP.lrSchedule,
  momentumX: MUPC_RESMLP.train.relax.momentum,
  lrX: MUPC_RESMLP.train.relax.lr,
  batch: MUPC_RESMLP.batchSize,
} as const satisfies Partial<TrainOptions>;

function withDefaults(opts: TrainOptions, defaults: Partial<TrainOptions>, cmd?: Command): TrainOptions {
  const out: Record<string, unknown> = { ...opts };
  for (const [key, value] of Object.entries(defaults)) if (!fromCli(cmd, key)) out[key] = value;
  return out as unknown as TrainOptions;
}

// --weight-cap 0 means none; unset, generative models get their default cap.
function capOf(opts: TrainOptions): number | undefined {
  if (opts.weightCap !== undefined) return opts.weightCap || undefined;
  return opts.orientation === 'generative' ? TRAIN_DEFAULTS.generativeWeightCap : undefined;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train a predictive coding network and report held-out accuracy')
    .option(
      '--data <spec>',
      "'mnist-embedded' (10,000 digits shipped with the package) or a directory with the four IDX files or CIFAR-10's binary batches",
      TRAIN_DEFAULTS.data,
    )
    .option(
      '--layers <sizes>',
      `layer sizes n_0,…,n_L (default ${TRAIN_DEFAULTS.layers}; generative ${TRAIN_DEFAULTS.generativeLayers}; streaming ${STREAMING_DEFAULTS.layers}; n_0 and n_L from the data)`,
      sizes,
    )
    .option(
      '--arch <name|file>',
      `network: a preset (${ARCHITECTURES.join('|')}; default: a dense chain from --layers) or a JSON file { layers: [{ kind, … }] }`,
    )
    .option('--depth <L>', 'resmlp: predicted layers (input projection, L − 2 residual layers, readout; default 8)', integer(3, 10_000))
    .option('--width <n>', 'resmlp: units per hidden layer (default 128)', integer(1, 65_536))
    .option('--parameterisation <p>', `branch scales: ${PARAMETERISATIONS.join('|')} (default: standard; resmlp: mupc)`, choice(PARAMETERISATIONS))
    .option(
      '--orientation <o>',
      'discriminative (image at x_0, label at x_L) or generative (label at x_0, image at x_L)',
      choice(['discriminative', 'generative'] as const),
      'discriminative' as const,
    )
    .option(
      '--feedback <f>',
      'error feedback in the x update: symmetric (Wᵀ), learned (B, local rule) or random (fixed B)',
      choice(['symmetric', 'learned', 'random'] as const),
      'symmetric' as const,
    )
    .option(
      '--schedule <s>',
      'standard (relax, then learn), incremental (learn at every step) or streaming (one continuous pass)',
      choice(['standard', 'incremental', 'streaming'] as const),
      'standard' as const,
    )
    .option('--stream-steps <k>', `streaming: bottom-up relaxation steps per example (default ${STREAMING_DEFAULTS.streamSteps})`, integer(1, 10_000))
    .option('--streams <n>', `streaming: examples in flight side by side (default ${STREAMING_DEFAULTS.streams})`, integer(1, 4096))
    .option('--stillness <θ>', `streaming: θ of stillness-modulated plasticity, 0: the plain rule (default ${STREAMING_DEFAULTS.stillness})`, number(0))
    .option('--eval-steps <T>', 'generative: relaxation steps to classify a test image', integer(1, 100_000), GENERATIVE_EVAL_RELAX.steps)
    .option('--activation <f>', `hidden activation: ${ACTIVATIONS.join('|')}`, choice(ACTIVATIONS), TRAIN_DEFAULTS.activation)
    .option('--output-energy <e>', 'last-layer energy: mse|ce', choice(['mse', 'ce'] as const), TRAIN_DEFAULTS.outputEnergy)
    .option(
      '--output-weight <β>',
      "weight (precision) β of the last layer's energy; a small β is the weak-output-error regime, where PC's updates approach backprop's gradients (default 1)",
      positive,
    )
    // T = 0 never relaxes: after a forward start only the top layer has an error, so only W_L learns (and incremental PC learns nothing).
    .option('--steps <T>', 'relaxation steps per batch', integer(1, 10_000), TRAIN_DEFAULTS.steps)
    .option('--batch <n>', 'batch size (more than the training examples: one batch of all of them)', integer(1, 65_536), TRAIN_DEFAULTS.batch)
    .option('--epochs <n>', 'epochs (with --resume: the new total)', integer(1, 100_000), TRAIN_DEFAULTS.epochs)
    // A rate of 0 leaves x (or the weights) where they start: a run that cannot learn and reports chance.
    .option(
      '--lr-x <F>',
      `relaxation step size eta_x (default ${TRAIN_DEFAULTS.lrX}; generative ${TRAIN_DEFAULTS.generativeLrX}; streaming ${STREAMING_DEFAULTS.lrX})`,
      positive,
    )
    .option(
      '--momentum-x <F>',
      `relaxation momentum, 0: Euler (default ${TRAIN_DEFAULTS.momentumX}; streaming ${STREAMING_DEFAULTS.momentumX})`,
      number(0, 0.999),
    )
    .option('--lr-w <F>', `weight learning rate (default ${TRAIN_DEFAULTS.lrW}; streaming ${STREAMING_DEFAULTS.lrW})`, positive)
    .option('--weight-decay <F>', 'weight decay', number(0), TRAIN_DEFAULTS.weightDecay)
    .option(
      '--weight-cap <c>',
      `clip every weight into [−c, c] after each step; 0: none (default: none, generative ${TRAIN_DEFAULTS.generativeWeightCap})`,
      number(0),
    )
    .option('--optimizer <name>', `weight optimiser: ${OPTIMIZERS.join('|')}`, choice(OPTIMIZERS), TRAIN_DEFAULTS.optimizer)
    .option('--lr-schedule <s>', `weight learning-rate schedule: ${SCHEDULES.join('|')}`, choice(SCHEDULES), TRAIN_DEFAULTS.lrSchedule)
    .option('--init <mode>', 'initial values of free layers: forward|zero|random', choice(['forward', 'zero', 'random'] as const), TRAIN_DEFAULTS.init)
    .option('--seed <S>', 'seed of every random draw', seed, TRAIN_DEFAULTS.seed)
    .option('--threads <n>', "matmul threads: 1, 2, … or 'auto'", threads, 'auto' as const)
    .option(
      '--backend <name>',
      'kernels: cpu|native|wasm|js|webgpu|auto (cpu: native where npm install built its C++ addon, else wasm; auto: WebGPU where present and faster, measured, else cpu)',
      choice(['cpu', 'native', 'wasm', 'js', 'webgpu', 'auto'] as const),
      'cpu' as const,
    )
    .option('--out <dir>', 'where to write the model, checkpoint, metrics log and plots (default runs/<time>, or runs/<time>-2 … if taken)')
    .option('--resume <dir>', "continue the run in <dir> from its last epoch's checkpoint, with its settings (--epochs N: train to N epochs in all)")
    .option('--json', 'print one JSON object per epoch on stdout and nothing else', false)
    .option('--no-progress', 'no progress bar')
    .action(async (opts: TrainFlags, cmd: Command) => {
      await runTrain(opts, cmd);
    });
}

export async function runTrain(given: TrainFlags, cmd?: Command): Promise<void> {
  const resumed = given.resume === undefined ? null : readResume(given.resume);
  const scheduled = resolveSchedule(resumed ? resumeOptions(given, resumed, cmd) : given, cmd);
  // A resumed run keeps its stored settings; a new resmlp run takes μPC's settings where no flag is given.
  const opts = resumed || scheduled.arch !== 'resmlp' ? scheduled : withDefaults(scheduled, RESMLP_DEFAULTS, cmd);
  if (!resumed && opts.out !== undefined) checkFreshOut(opts.out);
  const log = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  const data = await (resumed && !fromCli(cmd, 'data') ? loadRecordedData(opts.data, resumed.dir) : loadDataset(opts.data, '--data'));
  const streaming = opts.schedule === 'streaming';
  const fingerprint = streaming ? '' : dataFingerprint(data);
  if (resumed && fingerprint !== resumed.fingerprint)
    throw new PcError(
      'config',
      `--resume: the data from ${opts.data} is not the data the run in ${resumed.dir} trained on (their counts, labels or pixels differ). Pass that run's data with --data.`,
    );
  if (streaming && opts.streams > data.train.count)
    throw new PcError(
      'config',
      `--streams: ${count(opts.streams, 'stream')} need at least as many training examples, but ${opts.data} has ${data.train.count}.`,
    );
  if (streaming && opts.arch !== undefined && opts.arch !== 'mlp')
    throw new PcError('config', `--arch ${opts.arch} does not apply to --schedule streaming, which runs dense chains (--layers). Leave it out.`);
  const defaults = opts.orientation === 'generative' ? TRAIN_DEFAULTS.generativeLayers : streaming ? STREAMING_DEFAULTS.layers : TRAIN_DEFAULTS.layers;
  // A resumed run keeps the architecture its checkpoint holds, even if an --arch file has changed or gone since.
  const stored = resumed && opts.arch !== undefined ? architectureOf(resumed.checkpoint.config) : undefined;
  const arch = resolveArch(opts, opts.orientation, data.train, opts.data, defaults, stored);
  const config = createConfig({
    sizes: arch.sizes,
    layers: arch.layers,
    inputShape: arch.inputShape,
    parameterisation: arch.parameterisation,
    activation: opts.activation,
    outputEnergy: opts.outputEnergy,
    outputWeight: opts.outputWeight,
    orientation: opts.orientation,
    feedback: opts.feedback,
  });
  if (resumed && JSON.stringify(resumed.checkpoint.config) !== JSON.stringify(config))
    throw new PcError('data', `--resume: the model in ${join(resumed.dir, CHECKPOINT_FILE)} does not match the run's own settings; the file is corrupt.`);
  // One batch of every example is all a larger batch could hold (same batches, a smaller workspace). A stream's batch is its streams.
  const batch = streaming ? opts.streams : Math.min(opts.batch, data.train.count);
  const ctx: TrainContext = { opts, config, resumed, batch, data, log, fingerprint, label: arch.label, streaming, cap: capOf(opts) };
  let on = opts.backend === 'cpu' ? await cpuBackendName() : opts.backend;
  if (on === 'auto') {
    const train = {
      init: opts.init,
      schedule: opts.schedule as LearningSchedule,
      relax: { steps: opts.steps, lr: opts.lrX, momentum: opts.momentumX, tolerance: 0 },
    };
    const choice = await chooseBackend({ config, train, batch, data, threads: opts.threads, lrW: opts.lrW }, streaming);
    log(choice.reason);
    on = choice.backend;
  }
  if (on === 'webgpu') await trainOn(await createBackend('webgpu'), ctx);
  else await trainOn(await createBackend(on, { threads: opts.threads }), ctx);
}

/**
 * The data of a resumed run from the path its checkpoint records: the user
 * never typed it, so errors say where it came from, and that --data takes the
 * new place of data that moved.
 */
async function loadRecordedData(spec: string, dir: string): Promise<Split> {
  const moved = 'If the data moved, pass its new folder: --data NEWPATH.';
  if (spec !== 'mnist-embedded' && !existsSync(spec))
    throw new PcError(
      'config',
      `--resume: the run in ${dir} trained on the data in ${spec}, the path its checkpoint records, which does not exist any more. ${moved}`,
    );
  try {
    return await loadDataset(spec, '--data');
  } catch (e) {
    if (!(e instanceof PcError)) throw e;
    throw new PcError(
      e.code,
      `--resume: the data of the run in ${dir}, at ${spec} (the path its checkpoint records): ${e.message.replace(/^--data: /, '')} ${moved}`,
    );
  }
}

/**
 * The flags with the defaults of their schedule filled in, after refusing a
 * flag given on the command line that the schedule would ignore.
 */
export function resolveSchedule(flags: TrainFlags, cmd?: Command): TrainOptions {
  const given = (key: keyof TrainFlags) => fromCli(cmd, key);
  if (flags.schedule === 'streaming') {
    for (const [key, why] of Object.entries(NOT_STREAMING) as [keyof TrainFlags, string][])
      if (given(key)) throw new PcError('config', `${flagOf(key)} does not apply to --schedule streaming, which ${why}. Leave it out.`);
    if (flags.orientation === 'generative')
      throw new PcError(
        'config',
        '--orientation generative does not apply to --schedule streaming, which classifies by a forward pass. Leave it out, or use --schedule standard.',
      );
    const d = STREAMING_DEFAULTS;
    return {
      ...flags,
      lrX: flags.lrX ?? d.lrX,
      momentumX: flags.momentumX ?? d.momentumX,
      lrW: flags.lrW ?? d.lrW,
      streams: flags.streams ?? d.streams,
      streamSteps: flags.streamSteps ?? d.streamSteps,
      stillness: flags.stillness ?? d.stillness,
    };
  }
  for (const key of ['streams', 'streamSteps', 'stillness'] as const)
    if (given(key)) throw new PcError('config', `${flagOf(key)} applies only to --schedule streaming. Leave it out, or add --schedule streaming.`);
  const d = TRAIN_DEFAULTS;
  // streams, streamSteps and stillness are read by the streaming schedule only.
  return {
    ...flags,
    lrX: flags.lrX ?? (flags.orientation === 'generative' ? d.generativeLrX : d.lrX),
    momentumX: flags.momentumX ?? d.momentumX,
    lrW: flags.lrW ?? d.lrW,
    streams: 1,
    streamSteps: 1,
    stillness: 0,
  };
}

/** Flags the streaming schedule has no use for, and why (it is one pass, k steps per example, scored before it learns). */
const NOT_STREAMING: Partial<Record<keyof TrainFlags, string>> = {
  steps: 'relaxes --stream-steps steps per example',
  batch: 'runs --streams examples side by side',
  epochs: 'is one pass over the training examples',
  lrSchedule: 'keeps the weight learning rate constant',
  init: 'starts from a forward pass once and never resets',
  evalSteps: 'classifies by a forward pass',
};
