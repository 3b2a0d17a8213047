/**
 * The springs view's network: a small generative PCN (top layer predicts the
 * one below, the bottom is the senses) run on the library's own core, one
 * relaxation step at a time. Any neuron can be clamped (held where it is),
 * moved, or released; any weight can be set; learning can be switched on, so
 * the weights move at every step too (incremental PC).
 */
import {
  computeActivations,
  computeErrors,
  computeWeightGrads,
  createConfig,
  initModel,
  initWorkspace,
  type Model,
  type PartialClamp,
  planRelaxation,
  type RelaxPlan,
  relax,
  type Workspace,
} from 'predictive-coding/core';
import { type Backend, createReferenceBackend } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';
import { applyOptimizer, initOptimizer, type OptimizerState } from 'predictive-coding/train';

export interface SpringsState {
  readonly model: Model;
  readonly ws: Workspace;
  /** Per layer: which neurons are held, and where. */
  readonly clamps: PartialClamp[];
  energy: number;
  steps: number;
  learning: boolean;
}

export const SIZES = [4, 5, 4] as const;
const RELAX = { steps: 1, lr: 0.1, momentum: 0, tolerance: 0 };

export class SpringsNetwork {
  readonly backend: Backend = createReferenceBackend('float32');
  state!: SpringsState;
  private plan!: RelaxPlan;
  private opt!: OptimizerState;

  constructor(seed = 1) {
    this.reset(seed);
  }

  /** A new network: random weights and values, the bottom (sensory) layer clamped to a pattern. */
  reset(seed: number): void {
    this.state = this.fresh(seed);
    this.plan = planRelaxation(
      this.state.model,
      SIZES.map(() => false),
      this.state.clamps,
    );
    this.opt = initOptimizer(this.state.model, { name: 'sgd', lr: 0.05 }, this.backend);
  }

  /** One relaxation step (and a weight update if learning is on); returns E. */
  step(): number {
    const s = this.state;
    const learn = s.learning
      ? {
          timing: 'with-x' as const,
          apply: () => {
            computeWeightGrads(s.model, s.ws, 1);
            applyOptimizer(s.model, s.ws, this.opt);
          },
        }
      : undefined;
    const r = relax(s.model, s.ws, 1, this.plan, RELAX, s.energy, { learn });
    s.energy = r.energy;
    s.steps++;
    return s.energy;
  }

  isClamped(l: number, i: number): boolean {
    return this.state.clamps[l].mask[i] === 1;
  }

  /** Holds neuron i of layer l at its current value, or lets it go. */
  toggleClamp(l: number, i: number): void {
    const c = this.state.clamps[l];
    c.mask[i] ^= 1;
    (c.data as Float32Array)[i] = this.state.ws.x[l][i];
    this.refresh();
  }

  /** Moves neuron i of layer l to `value` and holds it there. */
  setValue(l: number, i: number, value: number): void {
    const c = this.state.clamps[l];
    c.mask[i] = 1;
    (c.data as Float32Array)[i] = value;
    this.state.ws.x[l][i] = value;
    this.refresh();
  }

  /** W_l[i, j]: the weight from neuron j of layer l − 1 to neuron i of layer l. */
  weight(l: number, i: number, j: number): number {
    return this.state.model.layers[l - 1].weights.data[i * SIZES[l - 1] + j];
  }

  setWeight(l: number, i: number, j: number, w: number): void {
    this.state.model.layers[l - 1].weights.data[i * SIZES[l - 1] + j] = w;
    this.refresh();
  }

  /** The prediction mu_l + b_l of neuron i of layer l ≥ 1 (the platform). */
  prediction(l: number, i: number): number {
    const s = this.state;
    return s.ws.mu[l][i] + s.model.layers[l - 1].bias.data[i];
  }

  /** After an edit: every activation, prediction, error and the energy again. */
  refresh(): void {
    const s = this.state;
    for (let l = 0; l < SIZES.length - 1; l++) computeActivations(s.model, s.ws, 1, l);
    s.energy = computeErrors(s.model, s.ws, 1);
  }

  private fresh(seed: number): SpringsState {
    const rng = createRng(seed);
    const model = initModel(createConfig({ sizes: [...SIZES], activation: 'tanh', orientation: 'generative' }), this.backend, rng);
    // Stronger rods than the default initialisation, so the springs pull visibly.
    for (const layer of model.layers) for (let i = 0; i < layer.weights.data.length; i++) layer.weights.data[i] *= 2.5;
    const ws = initWorkspace(model, 1, this.backend);
    for (const x of ws.x) for (let i = 0; i < x.length; i++) x[i] = 1.6 * (rng.next() - 0.5);
    const clamps: PartialClamp[] = SIZES.map((n) => ({ data: new Float32Array(n), mask: new Uint8Array(n) }));
    const bottom = SIZES.length - 1;
    const pattern = [1.2, -0.6, 0.9, -1.1];
    for (let i = 0; i < SIZES[bottom]; i++) {
      clamps[bottom].mask[i] = 1;
      (clamps[bottom].data as Float32Array)[i] = pattern[i % pattern.length];
      ws.x[bottom][i] = pattern[i % pattern.length];
    }
    const state: SpringsState = { model, ws, clamps, energy: 0, steps: 0, learning: false };
    this.state = state;
    this.refresh();
    return state;
  }
}
