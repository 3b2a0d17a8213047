/**
 * Relaxation on a deferred backend (a GPU: its numbers come back only through
 * an asynchronous read). The steps are relax's own (relaxStep), but no energy
 * is read while they run: each layer's energy goes into ws.ledger on the
 * device, and after each step its total into a trace there; one read after
 * the last step brings the trace and the ledger back — one await per batch,
 * not one per step. The checks relax makes at every step then run over the
 * trace: divergence (PcError naming the first bad step), unstable, unsettled.
 *
 * What changes against relax: all T steps run (a tolerance does not stop
 * early: stopping needs a number between steps), and a divergence is reported
 * after the batch rather than at its step — by then the weights of an
 * incremental schedule have moved with it. On an immediate backend
 * relaxAsync is relax.
 */
import type { BackendArray } from '../kernels/index.ts';
import type { Model } from './model.ts';
import { checkRelaxOptions, type RelaxOptions, type RelaxPlan, type RelaxResult, relax, relaxStep, summarise } from './relax.ts';
import type { RelaxConfig } from './relax-config.ts';
import { checkEnergy } from './relax-health.ts';
import type { Workspace } from './workspace.ts';

/**
 * relax for any backend: on a deferred one, T steps recorded with no read in between, then one read;
 * `initialEnergy` is ignored there (startRelaxation left it in ws.ledger). Resolves to the same
 * RelaxResult as relax (trace included when asked); rejects with PcError('divergence') as relax throws.
 * Mutates what relax mutates, and ws.energies (the ledger as read).
 */
export async function relaxAsync<T extends BackendArray>(
  model: Model<T>,
  ws: Workspace<T>,
  rows: number,
  plan: RelaxPlan,
  config: RelaxConfig,
  initialEnergy: number,
  options: RelaxOptions = {},
): Promise<RelaxResult> {
  const { backend } = ws;
  if (!backend.deferred) return relax(model, ws, rows, plan, config, initialEnergy, options);
  const { order, learn } = checkRelaxOptions(config, options, 'relaxAsync');
  const layers = model.config.sizes.length;
  const steps = config.steps;
  const totals = backend.alloc(steps + 1);
  try {
    backend.sumInto(ws.ledger, layers, totals, 0);
    for (let t = 0; t < steps; t++) {
      relaxStep(model, ws, rows, plan, config, order, learn, options.rng, t);
      backend.sumInto(ws.ledger, layers, totals, t + 1);
      options.onStep?.(t + 1);
    }
    const [trace, ledger] = await Promise.all([backend.read(totals, steps + 1), backend.read(ws.ledger, layers)]);
    ws.energies.set(ledger);
    let rising = true;
    for (let t = 0; t <= steps; t++) {
      checkEnergy(ws, trace[t], t, trace[0]);
      if (t > 0) rising &&= trace[t] > trace[t - 1];
    }
    const previous = steps >= 1 ? trace[steps - 1] : trace[0];
    return summarise(model, trace[steps], previous, trace[0], steps, rising, options.trace ? trace : undefined, learn !== undefined);
  } finally {
    backend.free(totals);
  }
}
