/**
 * Layer kinds (docs/design.md §4). Every kind keeps §2's energy and rules; only the
 * prediction changes: mu_l = g_l(f_{l−1}(x_{l−1}); W_l) + b_l, eps_l = x_l − mu_l.
 * A kind supplies g_l, its two local transposed products — the bottom-up
 * message Jᵀ·eps_l into layer l−1 (for ∂E/∂x_{l−1}) and the Hebbian weight
 * gradient (post-synaptic error times pre-synaptic activity, in the kind's
 * geometry) — its parameter shapes, fan-in and FLOP counts. Relaxation,
 * learning, schedules, optimisers and checkpoints are written once against
 * this seam. Every array operation is a backend call: a kind never loops over
 * values on the host (a GPU backend needs that).
 *
 * Values are NHWC per example: layer l holds [rows, H, W, C] as a flat
 * [rows, n_l] array with n_l = H·W·C; a dense layer is [1, 1, n]. The bias of
 * a layer has one entry per channel, added at every position.
 */
import type { Backend, BackendArray, IndexArray } from '../kernels/index.ts';

/** [height, width, channels] of one example's values in a layer (NHWC). */
export type Shape = readonly [number, number, number];

/**
 * Options any layer spec may carry whatever its kind: core reads them around
 * the kind's products (parameterisation.ts), so a kind implements nothing for them.
 */
export interface SpecOptions {
  /**
   * An identity skip from layer l−1: mu_l = x_{l−1} + s_l·(g_l(f(x_{l−1})) + b_l)
   * (ResNet, μPC). Layers l−1 and l must have one shape. Default false.
   */
  readonly residual?: boolean;
}

/** The fields of SpecOptions, which a spec of any kind may have besides its kind's own. */
export const SPEC_OPTIONS: readonly string[] = ['residual'];

/** A dense (fully connected) prediction: mu_l = f(x_{l−1})·W_lᵀ + b_l, W_l [n_l, n_{l−1}]. */
export interface DenseSpec extends SpecOptions {
  readonly kind: 'dense';
  /** n_l; may be left out where PcnConfig.sizes gives it. */
  readonly units?: number;
}

/**
 * A 2-D convolution, optionally pooled, as one prediction (see conv2d.ts):
 * mu_l = pool(conv(f(x_{l−1}); W_l)) + b_l. A dense layer after it reads its
 * maps flattened (NHWC order): flatten needs no layer of its own.
 */
export interface Conv2dSpec extends SpecOptions {
  readonly kind: 'conv2d';
  /** Output channels k. */
  readonly channels: number;
  /** Kernel height and width (one number: square). */
  readonly kernel: number | readonly [number, number];
  /** Default 1. */
  readonly stride?: number;
  /** Zero padding on every side; default 0. */
  readonly padding?: number;
  /** Pooling of the convolution's output, part of the same prediction (stride defaults to size). */
  readonly pool?: { readonly kind: 'max' | 'avg'; readonly size: number; readonly stride?: number };
}

/**
 * A transposed 2-D convolution (see conv2d-transpose.ts), for generative decoders:
 * the exact adjoint of a conv2d with the same kernel, stride and padding, as
 * PyTorch's ConvTranspose2d without output_padding. Output size (h − 1)·stride − 2·padding + kh.
 */
export interface Conv2dTransposeSpec extends SpecOptions {
  readonly kind: 'conv2d-transpose';
  /** Output channels. */
  readonly channels: number;
  /** Kernel height and width (one number: square). */
  readonly kernel: number | readonly [number, number];
  /** Default 1: the upsampling factor. */
  readonly stride?: number;
  /** Rows and columns cropped from every side of the full output; default 0, and less than the kernel. */
  readonly padding?: number;
}

/** How layer l is predicted from layer l−1: one entry per layer l = 1…L (PcnConfig.layers). */
export type LayerSpec = DenseSpec | Conv2dSpec | Conv2dTransposeSpec;

/** The kinds there are, in the order of LayerSpec's union. */
export const LAYER_KINDS: readonly LayerSpec['kind'][] = ['dense', 'conv2d', 'conv2d-transpose'];

/** Shapes of a layer's parameters: W (and B, for feedback weights) as stored, and the bias length (= output channels). */
export interface ParameterShapes {
  readonly weights: readonly [number, number];
  readonly bias: number;
  /** B_l, used in place of W_l in the bottom-up message when feedback is learned or random. */
  readonly feedback: readonly [number, number];
}

/**
 * Per-layer memory a kind keeps between its calls (allocated once in the
 * workspace for its capacity): e.g. a pooled convolution's map before
 * pooling and the argmax of its max pooling, recorded by predict and read by
 * message and weightGradient — the Jacobian of the state last predicted.
 */
export interface KindScratch<T extends BackendArray> {
  readonly values: T;
  readonly indices: IndexArray<T>;
}

/** Sizes of a kind's scratch for `rows` examples. */
export interface ScratchSize {
  readonly values: number;
  readonly indices: number;
}

/** Matmul-class FLOPs of one call of each product on `rows` examples. */
export interface KindFlops {
  readonly predict: number;
  readonly message: number;
  readonly weightGradient: number;
}

/**
 * One kind of prediction. Arguments: the layer's spec, the shapes of layer
 * l−1 (`input`) and layer l (`output`); arrays are [rows, ·] in the backend's
 * memory. Kinds trust their inputs (the config is validated once).
 */
export interface LayerKind {
  /** The fields a spec of this kind may have (besides `kind`); others are refused. */
  readonly fields: readonly string[];
  /**
   * The shape of layer l given its spec and the shape of layer l−1; `units` is
   * sizes[l], or undefined where sizes are derived from the specs. Validates the
   * spec against the input: PcError('config') naming what does not fit.
   */
  outputShape(spec: LayerSpec, input: Shape, units: number | undefined): Shape;
  /** The shapes of W_l and b_l (and B_l) for this spec between layers of shapes `input` and `output`. */
  parameterShapes(spec: LayerSpec, input: Shape, output: Shape): ParameterShapes;
  /** Inputs feeding one output unit, for initialisation scales. */
  fanIn(spec: LayerSpec, input: Shape, output: Shape): number;
  /** The scratch this kind needs for `rows` examples (zero sizes if none). */
  scratchSize(spec: LayerSpec, input: Shape, output: Shape, rows: number): ScratchSize;
  /** mu = g(fxPrev; W) without the bias: [rows, n_l]. Writes `mu` (and the scratch). */
  predict<T extends BackendArray>(
    backend: Backend<T>,
    spec: LayerSpec,
    input: Shape,
    output: Shape,
    weights: T,
    fxPrev: T,
    mu: T,
    rows: number,
    scratch: KindScratch<T>,
  ): void;
  /**
   * out = Jᵀ·eps with respect to f(x_{l−1}): [rows, n_{l−1}], through W (or
   * through B when `feedback` is given — stored as ParameterShapes.feedback).
   */
  message<T extends BackendArray>(
    backend: Backend<T>,
    spec: LayerSpec,
    input: Shape,
    output: Shape,
    weights: T,
    feedback: T | undefined,
    eps: T,
    out: T,
    rows: number,
    scratch: KindScratch<T>,
  ): void;
  /** gradW = alpha·(eps ⋆ fxPrev), the Hebbian product in W's layout (alpha = −1/rows gives ∂E/∂W as a batch mean). */
  weightGradient<T extends BackendArray>(
    backend: Backend<T>,
    spec: LayerSpec,
    input: Shape,
    output: Shape,
    eps: T,
    fxPrev: T,
    gradW: T,
    rows: number,
    alpha: number,
    scratch: KindScratch<T>,
  ): void;
  /** The mirror of weightGradient in B's layout (the learned-feedback increment). */
  feedbackGradient<T extends BackendArray>(
    backend: Backend<T>,
    spec: LayerSpec,
    input: Shape,
    output: Shape,
    eps: T,
    fxPrev: T,
    gradB: T,
    rows: number,
    alpha: number,
    scratch: KindScratch<T>,
  ): void;
  /** Whether B is stored as W transposed (dense) rather than in W's own layout; for measuring the angle between them. */
  readonly feedbackTransposed: boolean;
  /** Floating-point operations of this layer's passes for a batch of `rows` (FLOP counts of pcStepFlops and bpStepFlops). */
  flops(spec: LayerSpec, input: Shape, output: Shape, rows: number): KindFlops;
}

/** Whether layer l's prediction (spec = layers[l − 1]) skips from x_{l−1} (SpecOptions.residual), for a spec of any kind. */
export function isResidual(spec: LayerSpec): boolean {
  return (spec as SpecOptions).residual === true;
}

/** Values per example of a shape. */
export function sizeOf(shape: Shape): number {
  return shape[0] * shape[1] * shape[2];
}

/** Positions at which a layer's bias is added (H·W): the layer's values viewed as [rows·positions, channels]. */
export function positionsOf(shape: Shape): number {
  return shape[0] * shape[1];
}
