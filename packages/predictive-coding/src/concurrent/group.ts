/**
 * One layer group relaxing on its own thread (docs/design.md §2, the
 * synchronous step restricted to the group's layers): layers a … b−1 of the
 * model, on the thread's own backend. Each step it
 *   1. takes the newest x_{a−1} from the group below and eps_b from the group
 *      above, if they published newer ones (it never waits for them),
 *   2. refreshes f(x), mu_l and eps_l of its own layers,
 *   3. publishes eps_a (down) and its energy (to the driver),
 *   4. moves its free layers one step (g_l = J_{l+1}ᵀ·eps_{l+1}, then x_l),
 *   5. publishes x_{b−1} (up),
 * until it has taken its steps or the driver says stop; then it writes its
 * layers' values back and waits for the next relaxation. There is no barrier
 * between steps and no global clock: only the mailboxes (mailbox.ts) between
 * neighbours.
 */
import {
  computeActivations,
  computeErrors,
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
  let backend: Backend | null = null;
  try {
    const engine = await createBackend(init.backend, { threads: init.threads });
    backend = engine;
    const model: Model = initModel(config, backend, createRng(0));
    for (const [i, layer] of model.layers.entries()) {
      backend.write(layer.weights.data, init.params[i].weights);
      backend.write(layer.bias.data, init.params[i].bias);
      if (layer.feedback && init.params[i].feedback) backend.write(layer.feedback.data, init.params[i].feedback);
    }
    const ws: Workspace = initWorkspace(model, rows, backend);
    const start = () => {
      for (let l = 0; l <= L; l++) {
        engine.write(ws.x[l], new Float32Array(init.values, init.offsets[l] * 4, rows * config.sizes[l]));
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
    const below = init.xBelow ? new MailboxReader(init.xBelow, rows * config.sizes[a - 1]) : null;
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
    for (;;) {
      Atomics.wait(control, CONTROL.go, seen);
      seen = Atomics.load(control, CONTROL.go);
      if (Atomics.load(control, CONTROL.quit) !== 0) break;
      const steps = job[0];
      const relaxConfig = { steps: 1, lr: job[1], momentum: job[2], tolerance: 0 };
      start();
      // Whatever the neighbours published in the last relaxation is stale now; they publish again every step.
      below?.take();
      above?.take();
      let t = 0;
      while (t < steps && Atomics.load(control, CONTROL.stop) === 0) {
        if (below?.take()) {
          engine.write(ws.x[a - 1], below.values);
          computeActivations(model, ws, rows, a - 1);
        }
        if (above?.take()) engine.write(ws.eps[b], above.values);
        refreshErrors(model, ws, rows, plan);
        if (down) down.write(ws.eps[a].subarray(0, nA), t);
        let energy = 0;
        for (let l = Math.max(a, 1); l < b; l++) energy += ws.energies[l];
        report.slot[0] = energy;
        report.slot[1] = t;
        report.publish(t);
        updateValues(model, ws, rows, plan, relaxConfig);
        t++;
        if (up) up.write(ws.x[b - 1].subarray(0, nTop), t);
      }
      // The group's final values, for the driver to measure the state the whole network reached.
      for (let l = a; l < b; l++) new Float32Array(init.values, init.offsets[l] * 4, rows * config.sizes[l]).set(ws.x[l].subarray(0, rows * config.sizes[l]));
      Atomics.store(new Int32Array(init.stepsTaken), init.index, t);
      Atomics.add(control, CONTROL.done, 1);
      Atomics.notify(control, CONTROL.done);
    }
  } finally {
    backend?.dispose();
  }
}
