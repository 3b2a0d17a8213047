/**
 * Where the playground relaxes: the shipped classifier and generator in one
 * backend's memory (wasm's, or the GPU's through WebGPU), and the three things
 * the page asks of them — classify a drawn digit while recording every
 * layer's values and errors at every relaxation step, fill in an erased half, generate digits of a
 * label. The same calls run on both: on WebGPU each relaxation is recorded
 * and read back once (its frames kept on the device with copyInto).
 */
import {
  argmaxRows,
  completeAsync,
  disposeModel,
  disposeWorkspace,
  generate,
  inferAsync,
  initWorkspace,
  type Model,
  type Workspace,
} from 'predictive-coding/core';
import type { Backend, BackendArray } from 'predictive-coding/kernels';
import { createRng } from 'predictive-coding/random';
import { type Checkpoint, GENERATIVE_SAMPLE_NOISE, modelFromCheckpoint } from 'predictive-coding/train';

/** Relaxation shown while a drawn digit is classified: x_0 clamped, every other layer from zero. */
export const SHOW = { steps: 60, lr: 0.1, momentum: 0.5, tolerance: 0 };
/** Relaxation that fills in an erased half. */
const COMPLETE = { steps: 200, lr: 0.1, momentum: 0.9, tolerance: 0 };
/** Generated digits per label. */
export const SAMPLES = 8;

/** One layer of the classifier through a relaxation, after each step. */
export interface LayerTrace {
  readonly size: number;
  /** x_l after steps 1…T: T × size, row-major. */
  readonly x: Float32Array;
  /** eps_l = x_l − mu_l after steps 1…T (T × size); null for x_0, which nothing predicts. */
  readonly eps: Float32Array | null;
}

export interface Classified {
  readonly label: number;
  /** The top layer (one value per class) after each relaxation step. */
  readonly frames: Float32Array[];
  /** Every layer, x_0 (the clamped image) to x_L (the label layer). */
  readonly layers: LayerTrace[];
  /** Relaxation steps per second, the read back included. */
  readonly stepsPerSecond: number;
}

export interface Engine {
  /** 'wasm' or 'webgpu'. */
  readonly name: string;
  /** What the page shows: the backend and its threads or adapter. */
  readonly label: string;
  classify(image: Float32Array): Promise<Classified>;
  complete(image: Float32Array, visible: Uint8Array): Promise<Float32Array>;
  generate(label: number): Promise<Float32Array[]>;
  /** Classifies with this checkpoint's model from now on (a model trained in the page). */
  setClassifier(checkpoint: Checkpoint): void;
  dispose(): void;
}

/** An engine on `backend` (disposed with it), holding the two shipped models. */
export function createEngine<T extends BackendArray>(backend: Backend<T>, label: string, classifier: Checkpoint, generator: Checkpoint): Engine {
  let net = withWorkspace(modelFromCheckpoint(classifier, backend), 1, backend);
  const gen = modelFromCheckpoint(generator, backend);
  const one = initWorkspace(gen, 1, backend);
  const many = initWorkspace(gen, SAMPLES, backend);
  return {
    name: backend.name,
    label,
    async classify(image) {
      const { model, ws } = net;
      const sizes = model.config.sizes;
      const L = sizes.length - 1;
      const T = SHOW.steps;
      // One recording buffer: for each step, x_0…x_L then eps_1…eps_L (kept on the device, read back once).
      // Each part's place within a step's record: `at` floats in.
      let perStep = 0;
      const parts = [...sizes.map((n, l) => ({ from: ws.x[l], n })), ...sizes.slice(1).map((n, l) => ({ from: ws.eps[l + 1], n }))].map((p) => {
        const at = perStep;
        perStep += p.n;
        return { ...p, at };
      });
      const recorded = backend.alloc(T * perStep);
      try {
        const t0 = performance.now();
        const onStep = (t: number) => {
          for (const p of parts) backend.copyInto(p.from, p.n, recorded, (t - 1) * perStep + p.at);
        };
        await inferAsync(model, ws, 1, [image], SHOW, { init: 'zero', onStep });
        const host = await backend.read(recorded, T * perStep);
        const seconds = (performance.now() - t0) / 1000;
        // Regroup by layer: a part's values at step t sit at t·perStep + at.
        const series = parts.map((p) => {
          const out = new Float32Array(T * p.n);
          for (let t = 0; t < T; t++) out.set(host.subarray(t * perStep + p.at, t * perStep + p.at + p.n), t * p.n);
          return out;
        });
        const layers = sizes.map((size, l) => ({ size, x: series[l], eps: l === 0 ? null : series[L + l] }));
        const n = sizes[L];
        const frames = Array.from({ length: T }, (_, t) => layers[L].x.slice(t * n, (t + 1) * n));
        const label = new Int32Array(1);
        argmaxRows(frames[T - 1], 1, n, label);
        return { label: label[0], frames, layers, stepsPerSecond: T / seconds };
      } finally {
        backend.free(recorded);
      }
    },
    async complete(image, visible) {
      return Float32Array.from(await completeAsync(gen, one, 1, image, visible, COMPLETE));
    },
    async generate(digit) {
      const classes = gen.config.sizes[0];
      const pixels = gen.config.sizes[gen.config.sizes.length - 1];
      const top = new Float32Array(SAMPLES * classes);
      for (let r = 0; r < SAMPLES; r++) top[r * classes + digit] = 1;
      const out = await backend.read(generate(gen, many, SAMPLES, top, { noise: GENERATIVE_SAMPLE_NOISE, rng: createRng(digit) }), SAMPLES * pixels);
      return Array.from({ length: SAMPLES }, (_, r) => Float32Array.from(out.subarray(r * pixels, (r + 1) * pixels)));
    },
    setClassifier(checkpoint) {
      const next = withWorkspace(modelFromCheckpoint(checkpoint, backend), 1, backend);
      disposeWorkspace(net.ws);
      disposeModel(net.model, backend);
      net = next;
    },
    dispose() {
      backend.dispose();
    },
  };
}

function withWorkspace<T extends BackendArray>(model: Model<T>, rows: number, backend: Backend<T>): { model: Model<T>; ws: Workspace<T> } {
  return { model, ws: initWorkspace(model, rows, backend) };
}
