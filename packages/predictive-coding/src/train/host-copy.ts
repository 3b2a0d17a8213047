/**
 * A model (and its optimiser state) copied to host memory: what a checkpoint
 * or a measurement that reads every weight needs from a deferred backend (a
 * GPU), whose arrays are reachable only through its asynchronous `read`. On
 * an immediate backend the arrays are already host memory and are returned
 * as they are (no copy).
 */
import type { Model } from '../core/index.ts';
import type { Backend, BackendArray, FloatArray } from '../kernels/index.ts';
import type { OptimizerState } from './optim.ts';

/** `model` and `opt` with every array as float32 host memory (float64 where an immediate backend holds float64). */
export async function hostCopy<T extends BackendArray>(
  backend: Backend<T>,
  model: Model<T>,
  opt?: OptimizerState<T>,
): Promise<{ model: Model<FloatArray>; opt?: OptimizerState<FloatArray> }> {
  const host = async (x: T): Promise<FloatArray> =>
    !backend.deferred && (x instanceof Float32Array || x instanceof Float64Array) ? x : Float32Array.from(await backend.read(x, x.length));
  const layers = await Promise.all(
    model.layers.map(async (layer) => ({
      weights: { data: await host(layer.weights.data), shape: layer.weights.shape },
      bias: { data: await host(layer.bias.data), shape: layer.bias.shape },
      ...(layer.feedback ? { feedback: { data: await host(layer.feedback.data), shape: layer.feedback.shape } } : {}),
    })),
  );
  const copy = { model: { config: model.config, layers } };
  if (!opt) return copy;
  const slots = await Promise.all(opt.slots.map(async ([m, v]) => [await host(m), await host(v)] as const));
  return { ...copy, opt: { config: opt.config, step: opt.step, slots } };
}
