/**
 * From a decoded Checkpoint back to live objects: the model in a backend's
 * memory and the optimiser's moments. A Checkpoint is plain data a caller can
 * edit, so each is checked again here (tensors present, of their config's lengths).
 */
import { type Model, type PcnConfig, parameterShapesOf, validateConfig } from '../core/index.ts';
import { check, PcError, shown } from '../errors.ts';
import type { Backend, BackendArray } from '../kernels/index.ts';
import { zeros } from '../kernels/index.ts';
import type { Checkpoint } from './checkpoint.ts';
import { checkOptimizerState, type OptimizerState, parameters } from './optim.ts';

/**
 * A model in the backend's memory with the checkpoint's weights. Throws
 * PcError('data') when `ckpt` lacks a tensor its config needs or holds one of
 * the wrong length (a Checkpoint edited after decodeCheckpoint), PcError('config') for an invalid config.
 */
export function modelFromCheckpoint<T extends BackendArray>(ckpt: Checkpoint, backend: Backend<T>): Model<T> {
  const config = checkpointConfig(ckpt, 'modelFromCheckpoint');
  const sizes = config.sizes;
  const tensor = (name: string, length: number): Float32Array => {
    const t = ckpt.tensors.get(name);
    check(
      ArrayBuffer.isView(t) && (t as Float32Array).length === length,
      'data',
      () =>
        `modelFromCheckpoint: the checkpoint's tensor ${name} is ${t === undefined ? 'missing' : `${shown(t)}`}; its ${sizes.join('-')} config needs ${length} values. Pass the Checkpoint from decodeCheckpoint unchanged.`,
    );
    return t as Float32Array;
  };
  // Every tensor is checked before any memory is allocated, so a refusal leaks nothing.
  const shapes = sizes.slice(1).map((_, i) => parameterShapesOf(config, i + 1));
  const stored = shapes.map((p, i) => ({
    weights: tensor(`layers.${i + 1}.weights`, p.weights[0] * p.weights[1]),
    bias: tensor(`layers.${i + 1}.bias`, p.bias),
    feedback: config.feedback === 'symmetric' ? undefined : tensor(`layers.${i + 1}.feedback`, p.feedback[0] * p.feedback[1]),
  }));
  const layers = stored.map((t, i) => {
    const p = shapes[i];
    const weights = zeros(backend, p.weights[0], p.weights[1]);
    const bias = zeros(backend, 1, p.bias);
    backend.write(weights.data, t.weights);
    backend.write(bias.data, t.bias);
    if (!t.feedback) return { weights, bias };
    const feedback = zeros(backend, p.feedback[0], p.feedback[1]);
    backend.write(feedback.data, t.feedback);
    return { weights, bias, feedback };
  });
  return { config: ckpt.config, layers };
}

/** Checks that `ckpt` is a Checkpoint (an object with a valid config and a Map of tensors) and returns its config; `where` names the caller. */
function checkpointConfig(ckpt: Checkpoint, where: string): PcnConfig {
  check(
    typeof ckpt === 'object' && ckpt !== null,
    'data',
    () => `${where}: expected a Checkpoint from decodeCheckpoint (config and a Map of tensors), got ${shown(ckpt)}.`,
  );
  check(
    ckpt.tensors instanceof Map,
    'data',
    () => `${where}: ckpt.tensors must be a Map of tensor name → Float32Array, as decodeCheckpoint returns it; got ${shown(ckpt.tensors)}.`,
  );
  return validateConfig(ckpt.config);
}

/**
 * Copies the checkpoint's optimiser moments and step into `state`, which must
 * come from initOptimizer(model, ckpt.optimizer.config, backend) for a model of
 * the checkpoint's shape. Throws PcError('data') if the checkpoint holds no
 * optimiser state (or lacks a moment), PcError('config') if `state` is another
 * optimiser, PcError('shape') if the model or state has another shape than the checkpoint's.
 * A state in device memory (a GPU backend's) needs that `backend`, which uploads the moments.
 */
export function restoreOptimizer<T extends BackendArray>(ckpt: Checkpoint, model: Model<T>, state: OptimizerState<T>, backend?: Backend<T>): void {
  const config = checkpointConfig(ckpt, 'restoreOptimizer');
  const stored = ckpt.optimizer;
  check(stored !== undefined, 'data', () => 'restoreOptimizer: the checkpoint holds no optimiser state (it was saved without one).');
  checkOptimizerState(model, state, 'restoreOptimizer');
  check(
    stored.config.name === state.config.name,
    'config',
    () =>
      `restoreOptimizer: the checkpoint holds the state of an '${stored.config.name}' optimiser but the state to restore into is '${state.config.name}'. Make it with initOptimizer(model, ckpt.optimizer.config, backend).`,
  );
  const shape = (c: PcnConfig) => `${c.sizes.join('-')}${c.feedback === 'learned' ? ' with learned feedback' : ''}`;
  check(
    shape(config) === shape(model.config),
    'shape',
    () =>
      `restoreOptimizer: the checkpoint holds a ${shape(config)} model's optimiser state but this model is ${shape(model.config)}. Restore into modelFromCheckpoint(ckpt, backend) and a state made for it.`,
  );
  const params = parameters(model);
  const moments: [T, string][] = [];
  state.slots.forEach(([m, v], i) => {
    for (const [slot, key] of [
      [m, `optimizer.${i}.m`],
      [v, `optimizer.${i}.v`],
    ] as const) {
      if (!slot.length) continue;
      const t = ckpt.tensors.get(key);
      check(
        t !== undefined && t.length === params[i].length,
        'data',
        () =>
          `restoreOptimizer: the checkpoint's tensor ${key} is ${t === undefined ? 'missing' : `${t.length} long`}; this ${state.config.name} state needs ${params[i].length} values. Pass the Checkpoint from decodeCheckpoint unchanged.`,
      );
      moments.push([slot, key]);
    }
  });
  // Every length is checked before the first copy, so a refused restore leaves `state` as it was.
  for (const [slot, key] of moments) {
    const values = ckpt.tensors.get(key)!;
    if (backend) backend.write(slot, values);
    else if (slot instanceof Float32Array || slot instanceof Float64Array) slot.set(values);
    else throw new PcError('config', 'restoreOptimizer: the optimiser state lives in device memory; pass its backend as the fourth argument.');
  }
  state.step = stored.step;
}
