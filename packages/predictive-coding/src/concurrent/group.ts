/**
 * One layer group relaxing on its own thread (docs/design.md §2, the
 * synchronous step restricted to the group's layers): layers a … b−1 of the
 * model, on the thread's own backend. Each step it
 *   1. takes the newest x_{a−1} from the group below and eps_b from the group
 *      above, if they published newer ones (it never waits for them),
 *   2. refreshes f(x), mu_l and eps_l of its own layers,
 *   3. publishes eps_a (down) and its energy (to the driver),
 *   4. moves its free layers one step (g_l = J_{l+1}ᵀ·eps_{l+1}, then x_l) —
 *      learning, if asked, first moves its own W_l, b_l from the same state,
 *      and takes the message into x_{b−1} from the group above, which owns W_b,
 *   5. publishes x_{b−1} (up),
 * until it — and every other group — has taken its steps, or the driver says
 * stop (a group ahead keeps stepping until the slowest is done); then it writes its
 * layers' values back and waits for the next relaxation. There is no barrier
 * between steps and no global clock: only the mailboxes (mailbox.ts) between
 * neighbours.
 */
import {
  computeActivations,
  computeErrors,
  computeFeedback,
  computeWeightGrads,
  initModel,
  initWorkspace,
  type Model,
  planRelaxation,
  type RelaxPlan,
  refreshErrors,
  updateValues,
  type Workspace,
} from '../core/index.ts';
import { type Backend, createBackend } from '../kernels/index.ts';
import { createRng } from '../random.ts';
import { MailboxReader, MailboxWriter } from './mailbox.ts';
import { CONTROL, type GroupInit } from './protocol.ts';

/** Runs one group: sets it up, then relaxes once per start signal until told to quit (the worker's whole life). */
export async function runGroup(init: GroupInit): Promise<void> {
  const { config, rows, first: a, end: b } = init;
  const L = config.sizes.length - 1;
  // Kept outside the try, so that finally disposes of it whatever failed after it started.
  let started: Backend | null = null;
  try {
    const engine = await createBackend(init.backend, { threads: init.threads });
    started = engine;
    // The model's shape, with its parameters replaced at once by the caller's (the draw from rng 0 is never used).
    const model: Model = initModel(config, engine, createRng(0));
    const loadParameters = () => {
      for (const [i, layer] of model.layers.entries()) {
        engine.write(layer.weights.data, init.params[i].weights);
        engine.write(layer.bias.data, init.params[i].bias);
        if (layer.feedback && init.params[i].feedback) engine.write(layer.feedback.data, init.params[i].feedback);
      }
    };
    loadParameters();
    const ws: Workspace = initWorkspace(model, rows, engine);
    const start = () => {
      for (let l = 0; l <= L; l++) {
        engine.write(ws.x[l], init.values[l]);
        engine.fill(ws.v[l], 0, rows * config.sizes[l]);
      }
      for (let l = 0; l < L; l++) computeActivations(model, ws, rows, l);
      computeErrors(model, ws, rows);
    };
    start();
    const whole = planRelaxation(model, init.clamped);
    const own = (l: number) => l >= a && l < b;
    const plan: RelaxPlan = {
      free: whole.free.filter(own),
      partial: [],
      predictions: whole.predictions.filter((l) => own(l) && l >= 1),
      errors: whole.errors.filter((l) => own(l) && l >= 1),
    };
    // Learning moves the weights every step: each prediction is then recomputed, whatever is clamped.
    const owned = Array.from({ length: b - a }, (_, k) => a + k).filter((l) => l >= 1);
    const learningPlan: RelaxPlan = { ...plan, predictions: owned, errors: owned };
    const below = init.xBelow ? new MailboxReader(init.xBelow, rows * config.sizes[a - 1]) : null;
    // With learning, the message down into x_{b−1} comes from the group above, which owns (and moves) W_b.
    const messageAbove = init.messageAbove ? new MailboxReader(init.messageAbove, rows * config.sizes[b - 1]) : null;
    const messageDown = init.messageDown ? new MailboxWriter(init.messageDown, rows * config.sizes[a - 1]) : null;
    const above = init.epsAbove ? new MailboxReader(init.epsAbove, rows * config.sizes[b]) : null;
    const down = init.epsDown ? new MailboxWriter(init.epsDown, rows * config.sizes[a]) : null;
    const up = init.xUp ? new MailboxWriter(init.xUp, rows * config.sizes[b - 1]) : null;
    const report = new MailboxWriter(init.report, 2);
    const control = new Int32Array(init.control);
    const job = new Float64Array(init.job);
    const nA = rows * config.sizes[a];
    const nTop = rows * config.sizes[b - 1];
    Atomics.add(control, CONTROL.ready, 1);
    Atomics.notify(control, CONTROL.ready);
    // One relaxation per start signal (the driver bumps CONTROL.go), until told to quit. The thread and its compiled
    // code live on between relaxations: only the first ones pay for compiling.
    let seen = 0;
    // After a relaxation that learned, the other groups' weights here are old: every group reloads all of them.
    let learned = false;
    for (;;) {
      Atomics.wait(control, CONTROL.go, seen);
      seen = Atomics.load(control, CONTROL.go);
      if (Atomics.load(control, CONTROL.quit) !== 0) break;
      const steps = job[0];
      const relaxConfig = { steps: 1, lr: job[1], momentum: job[2], tolerance: 0 };
      const lrW = job[3];
      const learning = lrW > 0;
      if (learned) loadParameters();
      learned = learning;
      start();
      // Whatever the neighbours published in the last relaxation is stale now; they publish again every step.
      below?.take();
      above?.take();
      messageAbove?.take();
      let message: Float32Array | null = null;
      // Learning as the synchronous schedule does it with timing 'with-x': from the eps and f(x) this step's x
      // update reads, before x moves; each group moves only its own W_l, b_l (plain SGD).
      const learnOwn = () => {
        if (message) engine.write(ws.g[b - 1], message);
        computeWeightGrads(model, ws, rows, { layers: owned });
        for (const l of owned) {
          const layer = model.layers[l - 1];
          engine.axpy(-lrW, ws.gradW[l], layer.weights.data, layer.weights.data.length);
          engine.axpy(-lrW, ws.gradB[l], layer.bias.data, layer.bias.data.length);
        }
      };
      // Every group takes at least `steps`; one that is ahead keeps stepping against its neighbours' newest values
      // until the slowest has taken its share — else a group the scheduler started late would relax alone against
      // a finished neighbour, far from the joint equilibrium. (A stopping rule, not a barrier: nobody waits.)
      const progress = new Int32Array(init.stepsTaken);
      const slowest = () => {
        let m = Number.POSITIVE_INFINITY;
        for (let k = 0; k < progress.length; k++) m = Math.min(m, Atomics.load(progress, k));
        return m;
      };
      let t = 0;
      while ((t < steps || slowest() < steps) && Atomics.load(control, CONTROL.stop) === 0) {
        if (below?.take()) {
          engine.write(ws.x[a - 1], below.values);
          computeActivations(model, ws, rows, a - 1);
        }
        if (above?.take()) engine.write(ws.eps[b], above.values);
        if (messageAbove?.take()) message = messageAbove.values;
        refreshErrors(model, ws, rows, learning ? learningPlan : plan);
        if (down) down.write(ws.eps[a].subarray(0, nA), t);
        if (learning && messageDown) {
          computeFeedback(model, ws, rows, a - 1);
          messageDown.write(ws.g[a - 1].subarray(0, rows * config.sizes[a - 1]), t);
        }
        let energy = 0;
        for (let l = Math.max(a, 1); l < b; l++) energy += ws.energies[l];
        report.slot[0] = energy;
        report.slot[1] = t;
        report.publish(t);
        // Each group learns for exactly `steps` steps; a group ahead then only relaxes, so no weight learns longer than another.
        updateValues(model, ws, rows, plan, relaxConfig, learning && t < steps ? learnOwn : undefined);
        t++;
        Atomics.store(progress, init.index, t);
        if (up) up.write(ws.x[b - 1].subarray(0, nTop), t);
      }
      // The group's final values, for the driver to measure the state the whole network reached.
      for (let l = a; l < b; l++) init.values[l].set(ws.x[l].subarray(0, rows * config.sizes[l]));
      // The group's own weights, learned, for the driver to hand back to the caller's model.
      if (learning)
        for (const l of owned) {
          init.params[l - 1].weights.set(model.layers[l - 1].weights.data);
          init.params[l - 1].bias.set(model.layers[l - 1].bias.data);
        }
      Atomics.add(control, CONTROL.done, 1);
      Atomics.notify(control, CONTROL.done);
    }
  } finally {
    started?.dispose();
  }
}
