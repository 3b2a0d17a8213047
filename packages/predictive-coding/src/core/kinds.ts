/** The kind object of each layer spec (a closed union: a new kind is a new file and one line here). */
import { check, PcError, shown } from '../errors.ts';
import { conv2d } from './conv2d.ts';
import { conv2dTranspose } from './conv2d-transpose.ts';
import { dense } from './dense.ts';
import { LAYER_KINDS, type LayerKind, type LayerSpec, type ParameterShapes, type Shape, SPEC_OPTIONS, sizeOf } from './layer-kind.ts';

/** The LayerKind that implements `spec`. */
export function kindOf(spec: LayerSpec): LayerKind {
  switch (spec.kind) {
    case 'dense':
      return dense;
    case 'conv2d':
      return conv2d;
    case 'conv2d-transpose':
      return conv2dTranspose;
  }
}

/**
 * Checks the layer specs and the input shape of a configuration and returns
 * every layer's shape (shapes[0] = inputShape); throws PcError('config')
 * naming the layer. `sizes` (n_0 … n_L), when given, must agree with the
 * shapes (n_l = H·W·C); without it every spec must fix its own size.
 */
export function deriveShapes(sizes: readonly number[] | undefined, layers: unknown, inputShape: unknown): Shape[] {
  check(
    Array.isArray(layers) && layers.length >= 1,
    'config',
    () => `model config: layers must list one spec per predicted layer (1…L), got ${shown(layers)}.`,
  );
  const L = layers.length;
  check(
    sizes === undefined || sizes.length === L + 1,
    'config',
    () => `model config: layers needs one spec per predicted layer (${(sizes?.length ?? 1) - 1}: layers 1…L), got ${L}.`,
  );
  check(
    Array.isArray(inputShape) &&
      inputShape.length === 3 &&
      inputShape.every((d) => Number.isInteger(d) && d >= 1 && d <= 1 << 20) &&
      (sizes === undefined || inputShape[0] * inputShape[1] * inputShape[2] === sizes[0]),
    'config',
    () =>
      `model config: inputShape must be [height, width, channels]${sizes ? ` with height·width·channels = n_0 = ${sizes[0]}` : ''}, got ${shown(inputShape)}.`,
  );
  const shapes: Shape[] = [[inputShape[0], inputShape[1], inputShape[2]]];
  for (let l = 1; l <= L; l++) {
    const spec: unknown = layers[l - 1];
    check(
      typeof spec === 'object' && spec !== null && LAYER_KINDS.includes((spec as LayerSpec).kind),
      'config',
      () => `model config: layers[${l - 1}] (the prediction of layer ${l}) must be an object with kind one of ${LAYER_KINDS.join(', ')}, got ${shown(spec)}.`,
    );
    const kind = kindOf(spec as LayerSpec);
    const unknown = Object.keys(spec as object).filter((k) => k !== 'kind' && !kind.fields.includes(k) && !(SPEC_OPTIONS as readonly string[]).includes(k));
    check(
      unknown.length === 0,
      'config',
      () =>
        `model config: layers[${l - 1}] (${(spec as LayerSpec).kind}) has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => shown(k)).join(', ')}; a ${(spec as LayerSpec).kind} spec takes ${[...kind.fields, ...SPEC_OPTIONS].join(', ')}.`,
    );
    let shape: Shape;
    try {
      shape = kind.outputShape(spec as LayerSpec, shapes[l - 1], sizes?.[l]);
    } catch (e) {
      // The kind says what does not fit; the config names the layer.
      throw e instanceof PcError ? new PcError(e.code, `model config: layers[${l - 1}] (layer ${l}): ${e.message}`) : e;
    }
    check(
      sizes === undefined || sizeOf(shape) === sizes[l],
      'config',
      () => `model config: layer ${l} has shape [${shape.join(', ')}] (${sizeOf(shape)} values) by its spec, but sizes[${l}] is ${sizes?.[l]}.`,
    );
    checkResidual(spec as LayerSpec, l, shapes[l - 1], shape);
    shapes.push(shape);
  }
  return shapes;
}

// A residual prediction adds x_{l−1} itself to mu_l (parameterisation.ts), so the two layers must have one shape.
function checkResidual(spec: LayerSpec, l: number, input: Shape, output: Shape): void {
  const residual: unknown = (spec as { residual?: unknown }).residual;
  check(
    residual === undefined || typeof residual === 'boolean',
    'config',
    () => `model config: layers[${l - 1}].residual must be true or false (or left out), got ${shown(residual)}.`,
  );
  check(
    !residual || input.every((d, i) => d === output[i]),
    'config',
    () =>
      `model config: layers[${l - 1}] is residual (mu_${l} = x_${l - 1} + …), so layer ${l} needs the shape of layer ${l - 1}, [${input.join(', ')}], but its spec gives [${output.join(', ')}]. Give it that shape (sizes[${l}] = ${sizeOf(input)}, same height, width and channels), or drop residual: a skip across a change of shape needs a projection, which is not supported yet.`,
  );
}

/** The parameter shapes of layer l (1…L) of a validated configuration (PcnConfig's layers and shapes). */
export function parameterShapesOf(config: { readonly layers: readonly LayerSpec[]; readonly shapes: readonly Shape[] }, l: number): ParameterShapes {
  const spec = config.layers[l - 1];
  return kindOf(spec).parameterShapes(spec, config.shapes[l - 1], config.shapes[l]);
}
