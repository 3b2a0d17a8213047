/**
 * Relaxation with layers that run on their own (the lecture's local autonomy,
 * literally): the layers are cut into contiguous groups, each group relaxes on
 * its own worker thread and backend (group.ts), and neighbouring groups trade
 * only their boundary x (up) and eps (down) through triple-buffered mailboxes
 * in shared memory (mailbox.ts). No barrier between steps, no global clock:
 * a group steps from the newest values its neighbours have published, which
 * may be a few steps old.
 *
 * Reproducibility: one group (workers: 1) is exactly the synchronous
 * schedule. With two or more, which of a neighbour's steps a group sees
 * depends on thread timing, so the path and the final state vary slightly
 * from run to run (the energy reached agrees with the synchronous schedule's
 * within the tolerance the tests state; bit-identical repeats are not
 * promised). Threads: Node's worker_threads, or module Web Workers in a
 * cross-origin-isolated page (spawn.ts says which pages can load them).
 */
import { checkEnergy, computeActivations, computeErrors, type Model, validateRelaxConfig, type Workspace } from '../core/index.ts';
import { PcError } from '../errors.ts';
import { createMailboxBuffer, MailboxReader } from './mailbox.ts';
import { CONTROL, CONTROL_WORDS, type GroupInit, type GroupParams, JOB_WORDS } from './protocol.ts';
import { startModuleWorker, type ThreadWorker } from './spawn.ts';

/** How relaxConcurrently relaxes: steps, step size, the layer groups and their threads. */
export interface ConcurrentOptions {
  /** Steps each group takes (groups do not wait for each other, so they finish at their own pace). */
  readonly steps: number;
  /** eta_x, the value step. */
  readonly lr: number;
  readonly momentum?: number;
  /** Learn at every step with this weight step (see RelaxationSettings.lrW). */
  readonly lrW?: number;
  /** Layer groups, one thread each. Default 2. Ignored when `splits` is given. */
  readonly workers?: number;
  /** Where groups begin, after the first: [9] makes x_0…x_8 and x_9…x_L. Default: cut to balance each group's multiply-adds. */
  readonly splits?: readonly number[];
  /** Each group's backend. Default 'wasm'. */
  readonly backend?: 'wasm' | 'native' | 'js';
  /** Kernel threads inside each group. Default 1. */
  readonly threads?: number;
  /** Steps of the warm-up relaxation a relaxer runs when it starts, so later ones run compiled code (a fresh thread's first steps are interpreted). Default 50; its time counts in `startSeconds`. */
  readonly warmup?: number;
  /** How often the driver samples the groups' energies for the trace, in ms. Default 1. */
  readonly sampleMs?: number;
}

/** What relaxConcurrently returns: the energy reached, the wall-clock time, the groups and their steps, the energy trace. */
export interface ConcurrentResult {
  /** E of the final state: every error recomputed from the groups' final values. */
  readonly energy: number;
  /** Wall-clock seconds from the start signal until every group finished. */
  readonly seconds: number;
  /** Wall-clock seconds the relaxer took to start: threads, their backends and the warm-up. */
  readonly startSeconds: number;
  /** The groups, as [first, end) layer ranges. */
  readonly groups: readonly (readonly [number, number])[];
  /** Steps each group took: each at least `steps` (a group ahead keeps stepping until the slowest has taken its share). */
  readonly steps: readonly number[];
  /** Sum of the groups' latest reported energies, sampled while they ran (seconds since the start). */
  readonly trace: readonly { readonly seconds: number; readonly energy: number }[];
}

/**
 * Cuts layers 0…L into `workers` contiguous groups of about equal work per step. A group's step recomputes,
 * for each of its layers l, the prediction mu_l (n_{l−1}·n_l multiply-adds, while x_{l−1} is free) and the
 * message down into x_l from the layer above (n_l·n_{l+1}, while x_l is free): with the input clamped, the
 * first weight matrix costs nothing per step.
 */
export function balancedSplits(sizes: readonly number[], workers: number, clamped: readonly boolean[] = []): number[] {
  const L = sizes.length - 1;
  const cost = sizes.map((n, l) => (clamped[l] ? 0 : n) + (l >= 1 && !clamped[l - 1] ? sizes[l - 1] * n : 0) + (l < L && !clamped[l] ? n * sizes[l + 1] : 0));
  const total = cost.reduce((s, c) => s + c, 0);
  const splits: number[] = [];
  let acc = 0;
  for (let l = 0; l < L && splits.length < workers - 1; l++) {
    acc += cost[l];
    // Cut after layer l when that brings the group closest to its share.
    const share = (total * (splits.length + 1)) / workers;
    if (acc + cost[l + 1] / 2 >= share) splits.push(l + 1);
  }
  // No group without a free layer (its thread would have nothing to do): such a cut is dropped.
  const bounds = [0, ...splits, L + 1];
  const hasFree = (from: number, to: number) => clamped.length === 0 || Array.from({ length: to - from }, (_, i) => from + i).some((l) => !clamped[l]);
  return splits.filter((c, k) => hasFree(bounds[k], c) && hasFree(c, bounds[k + 2]));
}

const BACKENDS = ['wasm', 'native', 'js'];

function checkOptions(L: number, o: RelaxerOptions, clamped: readonly boolean[], rows: number, where: string): number[] {
  const workers = o.workers ?? 2;
  if (o.splits === undefined && (!Number.isInteger(workers) || workers < 1 || workers > L + 1))
    throw new PcError('config', `${where}: workers must be a whole number from 1 to ${L + 1} (one per layer at most), got ${workers}.`);
  if (!Array.isArray(clamped) || clamped.length !== L + 1)
    throw new PcError('shape', `${where}: clamped must have one flag per layer (${L + 1}), got ${Array.isArray(clamped) ? clamped.length : typeof clamped}.`);
  if (!Number.isInteger(rows) || rows < 1) throw new PcError('shape', `${where}: rows must be a whole number ≥ 1, got ${rows}.`);
  if (o.backend !== undefined && !BACKENDS.includes(o.backend))
    throw new PcError('config', `${where}: backend must be one of ${BACKENDS.join(', ')} (each group's own, on the CPU), got ${String(o.backend)}.`);
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 1))
    throw new PcError('config', `${where}: threads must be a whole number ≥ 1 (kernel threads inside each group), got ${o.threads}.`);
  return [0, ...(o.splits ?? []), L + 1];
}

/** How a ConcurrentRelaxer cuts and runs the network: everything in ConcurrentOptions but the per-relaxation settings. */
export type RelaxerOptions = Omit<ConcurrentOptions, 'steps' | 'lr' | 'momentum' | 'lrW'> & {
  /** The function name errors begin with (relaxConcurrently passes its own). */
  readonly caller?: string;
};

/** One relaxation's settings. */
export interface RelaxationSettings {
  readonly steps: number;
  readonly lr: number;
  readonly momentum?: number;
  /**
   * Learn at every step (incremental PC, timing 'with-x'): each group moves its own W_l and b_l by plain SGD
   * with this step, from the state its x update reads, and the learned weights are written back into the model
   * when the relaxation ends. 0 or left out: the weights stay fixed. Needs symmetric feedback.
   */
  readonly lrW?: number;
}

/**
 * Layer groups on worker threads that stay up between relaxations (a training
 * loop relaxes once per batch: threads and their compiled code are made once).
 * It holds a copy of the model's parameters taken when it started: start a new
 * one after the weights change elsewhere — a relaxation that learns (lrW)
 * writes the relaxer's copy back into the model, replacing any change made
 * to the model since the relaxer started.
 */
export interface ConcurrentRelaxer<T extends Float32Array = Float32Array> {
  /** The groups, as [first, end) layer ranges. */
  readonly groups: readonly (readonly [number, number])[];
  /** Seconds it took to start: threads, their backends and the warm-up relaxation. */
  readonly startSeconds: number;
  /**
   * Relaxes `rows` examples from the values in `ws` (set them first, e.g. with initValues; the clamped layers
   * are the ones given at the start). Mutates ws.x of the free layers (the final state) and ws.fx, mu, eps
   * (recomputed from it on the caller's backend), and with settings.lrW the model's weights and biases.
   * One relaxation at a time.
   */
  relax(ws: Workspace<T>, settings: RelaxationSettings): Promise<ConcurrentResult>;
  /** Stops the threads (idempotent). */
  close(): Promise<void>;
}

function checkSettings(o: RelaxationSettings, where: string): void {
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new PcError('config', `${where}: steps must be a whole number ≥ 0, got ${o.steps}.`);
  validateRelaxConfig({ steps: o.steps, lr: o.lr, momentum: o.momentum ?? 0, tolerance: 0 }, where, true);
  if (o.lrW !== undefined && !(o.lrW >= 0 && Number.isFinite(o.lrW))) throw new PcError('config', `${where}: lrW must be a finite number ≥ 0, got ${o.lrW}.`);
}

/**
 * Starts layer groups for `model` relaxing `rows` examples with the layers marked in `clamped` held, then runs a
 * warm-up relaxation (options.warmup steps, default 50) so that later relaxations run compiled code. Throws
 * PcError('config') for bad options or where memory cannot be shared (a page that is not cross-origin isolated), and re-throws a group's failure.
 */
export async function startConcurrentRelaxer<T extends Float32Array>(
  model: Model<T>,
  rows: number,
  clamped: readonly boolean[],
  options: RelaxerOptions = {},
): Promise<ConcurrentRelaxer<T>> {
  if (typeof SharedArrayBuffer !== 'function')
    throw new PcError(
      'config',
      `${options.caller ?? 'startConcurrentRelaxer'}: no SharedArrayBuffer here, so layer groups cannot share memory — in a browser the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp).`,
    );
  const { sizes } = model.config;
  const L = sizes.length - 1;
  const where = options.caller ?? 'startConcurrentRelaxer';
  let bounds = checkOptions(L, options, clamped, rows, where);
  if (options.splits === undefined) bounds = [0, ...balancedSplits(sizes, options.workers ?? 2, clamped), L + 1];
  for (let k = 1; k < bounds.length; k++)
    if (!(Number.isInteger(bounds[k]) && bounds[k] > bounds[k - 1]))
      throw new PcError('config', `${where}: splits must be increasing layer indices in 1…${L}, got [${(options.splits ?? []).join(', ')}].`);
  const called = performance.now();
  const groups = bounds.slice(1).map((end, k) => [bounds[k], end] as const);
  // Arrays in shared memory (posted to a thread, they stay shared): every layer's values, and the parameters,
  // where a group that learns writes its own layers' back.
  const shared = (n: number) => new Float32Array(new SharedArrayBuffer(4 * n));
  const copy = (a: Float32Array) => {
    const c = shared(a.length);
    c.set(a);
    return c;
  };
  const values = sizes.map((n) => shared(rows * n));
  const params: GroupParams[] = model.layers.map((layer) => ({
    weights: copy(layer.weights.data),
    bias: copy(layer.bias.data),
    feedback: layer.feedback ? copy(layer.feedback.data) : undefined,
  }));
  const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
  const ctl = new Int32Array(control);
  const jobBuffer = new SharedArrayBuffer(8 * JOB_WORDS);
  const job = new Float64Array(jobBuffer);
  const stepsTaken = new SharedArrayBuffer(4 * groups.length);
  // Mailboxes at each cut k (between group k−1 and group k, at layer c = groups[k][0]): x_{c−1} up, eps_c down.
  const xUp = groups.map(([first]) => (first > 0 ? createMailboxBuffer(rows * sizes[first - 1]) : undefined));
  const epsDown = groups.map(([first]) => (first > 0 ? createMailboxBuffer(rows * sizes[first]) : undefined));
  const messages = groups.map(([first]) => (first > 0 ? createMailboxBuffer(rows * sizes[first - 1]) : undefined));
  const reports = groups.map(() => createMailboxBuffer(2));
  const readers = reports.map((r) => new MailboxReader(r, 2));
  const url = new URL(`./group-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
  const failures: string[] = [];
  const workers: ThreadWorker[] = [];
  let closing = false;
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const dead = () => failures.length > 0;
  const fail = () => new PcError('config', `${where}: a layer group failed: ${failures.join('; ')}`);
  const close = async () => {
    if (closing) return;
    closing = true;
    Atomics.store(ctl, CONTROL.stop, 1);
    Atomics.store(ctl, CONTROL.quit, 1);
    Atomics.add(ctl, CONTROL.go, 1);
    Atomics.notify(ctl, CONTROL.go);
    await Promise.all(workers.map((w) => w.terminate()));
  };
  try {
    for (const [k, [first, end]] of groups.entries()) {
      const init: GroupInit = {
        index: k,
        config: model.config,
        params,
        rows,
        first,
        end,
        clamped,
        backend: options.backend ?? 'wasm',
        threads: options.threads ?? 1,
        values,
        xBelow: xUp[k],
        epsAbove: k + 1 < groups.length ? epsDown[k + 1] : undefined,
        epsDown: epsDown[k],
        xUp: k + 1 < groups.length ? xUp[k + 1] : undefined,
        messageDown: messages[k],
        messageAbove: k + 1 < groups.length ? messages[k + 1] : undefined,
        report: reports[k],
        control,
        job: jobBuffer,
        stepsTaken,
      };
      const w = await startModuleWorker(url, init);
      const where = `group ${k} (x_${first}…x_${end - 1})`;
      w.on('error', (e) => {
        failures.push(`${where}: ${e.message}`);
        Atomics.store(ctl, CONTROL.stop, 1);
      });
      // A thread that ends unasked without an error (killed, out of memory) is a failure too.
      w.on('exit', (code) => {
        if (!closing && !dead()) failures.push(`${where}: its thread ended (exit code ${code})`);
      });
      workers.push(w);
    }
    while (Atomics.load(ctl, CONTROL.ready) < groups.length && !dead()) await sleep(1);
    if (dead()) throw fail();
    /** One relaxation from the values in `values`: returns seconds and the sampled trace (the caller measures the energy). */
    const run = async (settings: RelaxationSettings) => {
      job.set([settings.steps, settings.lr, settings.momentum ?? 0, settings.lrW ?? 0]);
      for (const r of readers) r.take(); // the last relaxation's reports
      // Progress back to 0 before the start signal, so no group reads the last relaxation's counts as this one's.
      const progress = new Int32Array(stepsTaken);
      for (let k = 0; k < groups.length; k++) Atomics.store(progress, k, 0);
      Atomics.store(ctl, CONTROL.stop, 0);
      Atomics.store(ctl, CONTROL.done, 0);
      // The trace starts once every group has reported (a sum missing a group would be no energy at all).
      const latest = groups.map(() => Number.NaN);
      const trace: { seconds: number; energy: number }[] = [];
      const t0 = performance.now();
      Atomics.add(ctl, CONTROL.go, 1);
      Atomics.notify(ctl, CONTROL.go);
      let seconds = 0;
      while (!dead() && !closing) {
        const finished = Atomics.load(ctl, CONTROL.done) === groups.length;
        seconds = (performance.now() - t0) / 1000;
        let fresh = false;
        for (const [k, r] of readers.entries())
          if (r.take()) {
            latest[k] = r.values[0];
            fresh = true;
          }
        if (fresh && latest.every((e) => !Number.isNaN(e))) trace.push({ seconds, energy: latest.reduce((s, e) => s + e, 0) });
        if (finished) break;
        await sleep(options.sampleMs ?? 1);
      }
      if (dead()) throw fail();
      if (closing) throw new PcError('config', 'relax: the relaxer was closed during this relaxation; its result is lost.');
      return { seconds, trace };
    };
    await run({ steps: options.warmup ?? 50, lr: 1e-3 });
    const startSeconds = (performance.now() - called) / 1000;
    let busy = false;
    return {
      groups,
      startSeconds,
      async relax(ws, settings) {
        checkSettings(settings, 'relax');
        if ((settings.lrW ?? 0) > 0 && model.config.feedback !== 'symmetric')
          throw new PcError('config', `relax: learning in layer groups needs symmetric feedback; this model's is '${model.config.feedback}'.`);
        if (closing) throw new PcError('config', 'relax: this concurrent relaxer is closed; start a new one.');
        if (busy) throw new PcError('config', 'relax: one relaxation at a time (await the one running).');
        if (ws.capacity < rows)
          throw new PcError(
            'shape',
            `relax: the workspace holds ${ws.capacity} rows, this relaxer relaxes ${rows}: make the workspace with initWorkspace(model, ${rows}, backend).`,
          );
        busy = true;
        try {
          // The start's energy, on the caller's backend: the divergence check below is the synchronous relax's own
          // (a broken start blamed on the inputs, a blow-up on the x step), which measures against it.
          for (let l = 0; l < L; l++) computeActivations(model, ws, rows, l);
          const initial = computeErrors(model, ws, rows);
          checkEnergy(ws, initial, 0, initial);
          for (let l = 0; l <= L; l++) values[l].set(ws.x[l].subarray(0, rows * sizes[l]));
          const { seconds, trace } = await run(settings);
          for (let l = 0; l <= L; l++) if (!clamped[l]) ws.x[l].set(values[l]);
          // What the groups learned, into the caller's model (each group wrote its own layers).
          if ((settings.lrW ?? 0) > 0)
            for (const [i, layer] of model.layers.entries()) {
              layer.weights.data.set(params[i].weights);
              layer.bias.data.set(params[i].bias);
            }
          for (let l = 0; l < L; l++) computeActivations(model, ws, rows, l);
          const energy = computeErrors(model, ws, rows);
          checkEnergy(ws, energy, settings.steps, initial);
          // The trace ends at the energy measured, the groups' own sums having been a few steps apart.
          trace.push({ seconds, energy });
          return { energy, seconds, startSeconds, groups, steps: [...new Int32Array(stepsTaken)], trace };
        } finally {
          busy = false;
        }
      },
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Relaxes `rows` examples once from the values in `ws` (set them first, e.g. with initValues; `clamped[l]`
 * marks layers held at their values), with the layers cut into groups on worker threads: starts a
 * ConcurrentRelaxer, relaxes, closes it. Mutates ws.x of the free layers (the final state), and ws.fx, mu, eps
 * (recomputed from it), and with options.lrW the model's weights and biases (learned). `ws` must hold at least
 * `rows` (its capacity); its errors need not be current. Throws PcError('config') for bad options or where memory
 * cannot be shared, PcError('divergence') when the energy ends non-finite or exploded (relax's own check), and re-throws a group's failure. To
 * relax many batches, start one relaxer and reuse it.
 */
export async function relaxConcurrently<T extends Float32Array>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  clamped: readonly boolean[],
  options: ConcurrentOptions,
): Promise<ConcurrentResult> {
  checkSettings(options, 'relaxConcurrently');
  const relaxer = await startConcurrentRelaxer(model, rows, clamped, { ...options, caller: 'relaxConcurrently' });
  try {
    return await relaxer.relax(ws, options);
  } finally {
    await relaxer.close();
  }
}
