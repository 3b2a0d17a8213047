/**
 * Creating a model: weights drawn from a seeded generator.
 * Default 'uniform': W, b ~ U(−1/√fan_in, 1/√fan_in), the PyTorch/Equinox
 * Linear and Conv default that PCX's benchmark uses (fan_in = n_{l−1} for a
 * dense layer); 'xavier': U(±√(6/(fan_in + fan_out))), b = 0; 'normal':
 * W ~ N(0, 1), b = 0, μPC's draw (Innocenti et al. 2025), meant for branch
 * scales that carry the fan-in (parameterisation.ts) — the default when
 * config.parameterisation is 'mupc'.
 */
import { checkChoice } from '../errors.ts';
import type { Backend, BackendArray } from '../kernels/index.ts';
import { zeros } from '../kernels/index.ts';
import type { Rng } from '../random.ts';
import { kindOf } from './kinds.ts';
import type { Layer, Model, PcnConfig } from './model.ts';
import { validateConfig } from './model.ts';

/** How initModel draws the weights; see the file comment. */
export type WeightInit = 'uniform' | 'xavier' | 'normal';

/** Every WeightInit, for validation and CLI choices. */
export const WEIGHT_INITS: readonly WeightInit[] = ['uniform', 'xavier', 'normal'];

/**
 * A new model for `config` with its parameters in the backend's memory:
 * W_l drawn uniform in ±1/√fan-in (or `init` 'xavier', or 'normal' N(0, 1),
 * the default for μPC, Innocenti et al. 2025), b_l = 0, B_l where the config
 * has feedback weights. Every draw comes from `rng` (advanced). Throws
 * PcError('config') for an invalid config or init.
 */
export function initModel<T extends BackendArray>(config: PcnConfig, backend: Backend<T>, rng: Rng, init?: WeightInit): Model<T> {
  const c = validateConfig(config);
  init ??= c.parameterisation === 'mupc' ? 'normal' : 'uniform';
  checkChoice(init, WEIGHT_INITS, 'initModel: init');
  const layers: Layer<T>[] = [];
  for (let l = 1; l < c.sizes.length; l++) {
    const spec = c.layers[l - 1];
    const kind = kindOf(spec);
    const [input, output] = [c.shapes[l - 1], c.shapes[l]];
    const shapes = kind.parameterShapes(spec, input, output);
    const fanIn = kind.fanIn(spec, input, output);
    const weights = zeros(backend, shapes.weights[0], shapes.weights[1]);
    const bias = zeros(backend, 1, shapes.bias);
    const fanOut = weights.data.length / fanIn;
    const a = init === 'xavier' ? Math.sqrt(6 / (fanIn + fanOut)) : 1 / Math.sqrt(fanIn);
    const draw = init === 'normal' ? () => rng.normal() : () => (2 * rng.next() - 1) * a;
    // Drawn on the host, in the same order as ever, and uploaded.
    backend.write(weights.data, draws(weights.data.length, draw));
    if (init === 'uniform')
      backend.write(
        bias.data,
        draws(shapes.bias, () => (2 * rng.next() - 1) * a),
      );
    if (c.feedback === 'symmetric') {
      layers.push({ weights, bias });
      continue;
    }
    // B_l gets the distribution of W_l, drawn independently: a start with no alignment.
    const feedback = zeros(backend, shapes.feedback[0], shapes.feedback[1]);
    backend.write(feedback.data, draws(feedback.data.length, draw));
    layers.push({ weights, bias, feedback });
  }
  return { config: c, layers };
}

function draws(n: number, draw: () => number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = draw();
  return out;
}

/** Returns a model's parameter buffers to its backend; the model must not be used after. */
export function disposeModel<T extends BackendArray>(model: Model<T>, backend: Backend<T>): void {
  for (const layer of model.layers) {
    backend.free(layer.weights.data);
    backend.free(layer.bias.data);
    if (layer.feedback) backend.free(layer.feedback.data);
  }
}
