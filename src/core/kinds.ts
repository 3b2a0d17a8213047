/** The kind object of each layer spec (a closed union: a new kind is a new file and one line here). */
import { check, shown } from '../errors.ts';
import { conv2d } from './conv2d.ts';
import { dense } from './dense.ts';
import { LAYER_KINDS, type LayerKind, type LayerSpec, type ParameterShapes, type Shape, sizeOf } from './layer-kind.ts';

/** The LayerKind that implements `spec`. */
export function kindOf(spec: LayerSpec): LayerKind {
  switch (spec.kind) {
    case 'dense':
      return dense;
    case 'conv2d':
      return conv2d;
  }
}

/**
 * Checks the layer specs and the input shape of a configuration and returns
 * every layer's shape (shapes[0] = inputShape); throws PcError('config')
 * naming the layer. `sizes` must agree with the shapes (n_l = H·W·C).
 */
export function deriveShapes(sizes: readonly number[], layers: unknown, inputShape: unknown): Shape[] {
  const L = sizes.length - 1;
  check(
    Array.isArray(layers) && layers.length === L,
    'config',
    () => `model config: layers needs one spec per predicted layer (${L}: layers 1…L), got ${shown(layers)}.`,
  );
  check(
    Array.isArray(inputShape) &&
      inputShape.length === 3 &&
      inputShape.every((d) => Number.isInteger(d) && d >= 1) &&
      inputShape[0] * inputShape[1] * inputShape[2] === sizes[0],
    'config',
    () => `model config: inputShape must be [height, width, channels] with height·width·channels = n_0 = ${sizes[0]}, got ${shown(inputShape)}.`,
  );
  const shapes: Shape[] = [[inputShape[0], inputShape[1], inputShape[2]]];
  for (let l = 1; l <= L; l++) {
    const spec: unknown = layers[l - 1];
    check(
      typeof spec === 'object' && spec !== null && LAYER_KINDS.includes((spec as LayerSpec).kind),
      'config',
      () => `model config: layers[${l - 1}] (the prediction of layer ${l}) must be an object with kind one of ${LAYER_KINDS.join(', ')}, got ${shown(spec)}.`,
    );
    const shape = kindOf(spec as LayerSpec).outputShape(spec as LayerSpec, shapes[l - 1], sizes[l]);
    check(
      sizeOf(shape) === sizes[l],
      'config',
      () => `model config: layer ${l} has shape [${shape.join(', ')}] (${sizeOf(shape)} values) by its spec, but sizes[${l}] is ${sizes[l]}.`,
    );
    shapes.push(shape);
  }
  return shapes;
}

/** The parameter shapes of layer l (1…L) of a validated configuration (PcnConfig's layers and shapes). */
export function parameterShapesOf(config: { readonly layers: readonly LayerSpec[]; readonly shapes: readonly Shape[] }, l: number): ParameterShapes {
  const spec = config.layers[l - 1];
  return kindOf(spec).parameterShapes(spec, config.shapes[l - 1], config.shapes[l]);
}
