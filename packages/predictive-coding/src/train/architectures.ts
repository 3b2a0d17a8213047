/**
 * Network architectures as JSON-able specs (issue 11, docs/design.md §4): an input
 * shape and one layer spec per predicted layer, and the named presets of
 * `pcn train --arch NAME`. A spec becomes a model configuration with
 * architectureConfig, which derives every layer size from the specs.
 *
 * Presets (NHWC; `classes` from the data):
 * - `'mlp'`: 128-128-128 dense, then the classes (PCX's MLP; today's default);
 * - `'cnn'`: for 28×28 grey images — conv 3×3 ×32 (pad 1) + 2×2 max-pool,
 *   conv 3×3 ×64 (pad 1) + 2×2 max-pool, dense 128, dense to the classes;
 * - `'cnn-cifar'`: for 32×32 colour images — three conv 3×3 (pad 1) + 2×2
 *   max-pool blocks of 32, 64 and 128 channels, dense 128, dense to the classes;
 * - `'resmlp'`: μPC's residual MLP (Innocenti et al. 2025; JPC's FCResNet) of
 *   `depth` predicted layers, `width` units each — a dense input projection,
 *   depth − 2 residual dense layers, a dense readout — parameterised 'mupc'.
 */
import {
  type ConfigOptions,
  createConfig,
  deriveShapes,
  type LayerSpec,
  PARAMETERISATIONS,
  type Parameterisation,
  type PcnConfig,
  type Shape,
  sizeOf,
} from '../core/index.ts';
import { check, checkChoice, checkObject, shown } from '../errors.ts';

/** A named architecture preset (see the module comment): 'mlp', 'cnn', 'cnn-cifar' or 'resmlp'. */
export type ArchitectureName = 'mlp' | 'cnn' | 'cnn-cifar' | 'resmlp';

/** Every ArchitectureName. */
export const ARCHITECTURES: readonly ArchitectureName[] = ['mlp', 'cnn', 'cnn-cifar', 'resmlp'];

/** A network as data: the shape of one input example, how each later layer is predicted, and the branch scales. */
export interface ArchitectureSpec {
  readonly inputShape: Shape;
  readonly layers: readonly LayerSpec[];
  /** Default 'standard' (resmlp: 'mupc'). */
  readonly parameterisation?: Parameterisation;
}

/** The size options of the presets that have them (resmlp). */
export interface ArchitectureOptions {
  /** resmlp: predicted layers L (≥ 3), default 8. */
  readonly depth?: number;
  /** resmlp: units per hidden layer, default 128. */
  readonly width?: number;
  /** Overrides the preset's parameterisation. */
  readonly parameterisation?: Parameterisation;
}

/** What an architecture is built for: the shape of one example and the number of classes. */
export interface DataShape {
  readonly shape: Shape;
  readonly classes: number;
}

const block = (channels: number): LayerSpec => ({ kind: 'conv2d', channels, kernel: 3, padding: 1, pool: { kind: 'max', size: 2 } });

/**
 * The preset `name` for data of `data.shape` with `data.classes` classes.
 * Throws PcError('config') for an unknown name or a depth/width out of range.
 */
export function architecture(name: ArchitectureName, data: DataShape, options: ArchitectureOptions = {}): ArchitectureSpec {
  checkChoice(name, ARCHITECTURES, 'architecture: name');
  if (options.parameterisation !== undefined) checkChoice(options.parameterisation, PARAMETERISATIONS, 'architecture: parameterisation');
  const preset = presetOf(name, data, options);
  return options.parameterisation === undefined ? preset : { ...preset, parameterisation: options.parameterisation };
}

function presetOf(name: ArchitectureName, data: DataShape, options: ArchitectureOptions): ArchitectureSpec {
  const out: LayerSpec = { kind: 'dense', units: data.classes };
  switch (name) {
    case 'resmlp': {
      const { depth = 8, width = 128 } = options;
      check(
        Number.isInteger(depth) && depth >= 3 && depth <= 10_000,
        'config',
        () => `resmlp: depth must be an integer from 3 to 10000 (input projection, residual layers, readout), got ${shown(depth)}.`,
      );
      check(Number.isInteger(width) && width >= 1 && width <= 65_536, 'config', () => `resmlp: width must be an integer from 1 to 65536, got ${shown(width)}.`);
      const hidden: LayerSpec = { kind: 'dense', units: width, residual: true };
      return {
        inputShape: data.shape,
        layers: [{ kind: 'dense', units: width }, ...Array.from({ length: depth - 2 }, () => hidden), out],
        parameterisation: 'mupc',
      };
    }
    case 'mlp':
      return { inputShape: data.shape, layers: [{ kind: 'dense', units: 128 }, { kind: 'dense', units: 128 }, { kind: 'dense', units: 128 }, out] };
    case 'cnn':
      return { inputShape: data.shape, layers: [block(32), block(64), { kind: 'dense', units: 128 }, out] };
    case 'cnn-cifar':
      return { inputShape: data.shape, layers: [block(32), block(64), block(128), { kind: 'dense', units: 128 }, out] };
  }
}

/**
 * An architecture from JSON (a file's contents, parsed): `{ inputShape?, layers, parameterisation? }`.
 * A missing inputShape is the data's; a last dense layer without units gets
 * the data's classes. `where` names the source in errors (PcError('config')).
 * The specs themselves are checked by architectureConfig.
 */
export function parseArchitecture(json: unknown, data: DataShape, where: string): ArchitectureSpec {
  checkObject(json, where, 'an object { inputShape?: [height, width, channels], layers: [{ kind, … }, …] }');
  const o = json as { inputShape?: unknown; layers?: unknown };
  const extra = Object.keys(o).filter((k) => !['inputShape', 'layers', 'parameterisation'].includes(k));
  check(
    extra.length === 0,
    'config',
    () => `${where}: unknown field ${extra.map((k) => shown(k)).join(', ')}; an architecture has inputShape, layers and parameterisation.`,
  );
  const parameterisation = (o as { parameterisation?: unknown }).parameterisation;
  if (parameterisation !== undefined) checkChoice(parameterisation as Parameterisation, PARAMETERISATIONS, `${where}: parameterisation`);
  check(
    Array.isArray(o.layers) && o.layers.length >= 1,
    'config',
    () => `${where}: layers must list at least one layer spec ({ "kind": "dense", "units": 128 }, …), got ${shown(o.layers)}.`,
  );
  const layers = [...(o.layers as LayerSpec[])];
  const last = layers[layers.length - 1];
  if (typeof last === 'object' && last !== null && last.kind === 'dense' && last.units === undefined)
    layers[layers.length - 1] = { ...last, units: data.classes };
  return {
    inputShape: (o.inputShape ?? data.shape) as Shape,
    layers,
    ...(parameterisation === undefined ? {} : { parameterisation: parameterisation as Parameterisation }),
  };
}

/**
 * The model configuration of an architecture: every size derived from the
 * specs (validated, naming the layer at fault), with the other model options
 * as createConfig takes them.
 */
export function architectureConfig(
  spec: ArchitectureSpec,
  options: Omit<ConfigOptions, 'sizes' | 'layers' | 'inputShape' | 'parameterisation'> = {},
): PcnConfig {
  checkObject(spec, 'architectureConfig: spec', 'an ArchitectureSpec { inputShape, layers }');
  const shapes = deriveShapes(undefined, spec.layers, spec.inputShape);
  return createConfig({ ...options, sizes: shapes.map(sizeOf), layers: spec.layers, inputShape: spec.inputShape, parameterisation: spec.parameterisation });
}

/** The architecture a configuration was built from (inverse of architectureConfig, for `pcn info` and checkpoints). */
export function architectureOf(config: PcnConfig): ArchitectureSpec {
  return { inputShape: config.inputShape, layers: config.layers, parameterisation: config.parameterisation };
}

/** One line per layer: `x_1 [14, 14, 32] ← conv2d 3×3 ×32 pad 1 + max-pool 2` etc., for `pcn info` and run headers. */
export function describeArchitecture(config: PcnConfig): string[] {
  return config.layers.map(
    (spec, i) =>
      `x_${i + 1} [${config.shapes[i + 1].join(', ')}] ← ${describeSpec(spec)}${config.scales[i] === 1 ? '' : `, scale ${config.scales[i].toPrecision(3)}`}`,
  );
}

function describeSpec(spec: LayerSpec): string {
  const skip = spec.residual ? 'x + ' : '';
  if (spec.kind === 'dense') return `${skip}dense`;
  const [kh, kw] = typeof spec.kernel === 'number' ? [spec.kernel, spec.kernel] : spec.kernel;
  const geometry = `${kh}×${kw} ×${spec.channels}${spec.stride && spec.stride !== 1 ? ` stride ${spec.stride}` : ''}${spec.padding ? ` pad ${spec.padding}` : ''}`;
  const p = spec.kind === 'conv2d' ? spec.pool : undefined;
  const pool = p ? ` + ${p.kind}-pool ${p.size}${p.stride && p.stride !== p.size ? ` stride ${p.stride}` : ''}` : '';
  return `${skip}${spec.kind} ${geometry}${pool}`;
}
