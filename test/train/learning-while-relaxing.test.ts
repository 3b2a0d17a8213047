/**
 * Learning while relaxing (incremental PC, streaming): after every weight change
 * each prediction and error is recomputed before it is used, and each weight
 * update uses exactly the eps and f(x) of the state it belongs to. Expected
 * values come from a plain float64 oracle (test/helpers/naive-pc.ts) or by hand.
 */
import { describe, expect, it } from 'vitest';
import { createConfig, type Feedback, initModel, initWorkspace, type Model } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { initOptimizer, type LabeledData, shuffledOrder, stream, trainStep } from '../../packages/predictive-coding/src/train/index.ts';
import { type NaiveActivation, type NaiveNet, naiveErrors, naiveForwardInit, naiveIncrementalStep, naiveStepThenLearn } from '../helpers/naive-pc.ts';

const f64 = createReferenceBackend('float64');

/** A library model and the oracle's copy of the same weights. */
function twins(
  sizes: number[],
  act: NaiveActivation,
  rows: number,
  feedback: Feedback = 'symmetric',
  seed = 11,
): { model: Model<Float64Array>; net: NaiveNet } {
  const model = initModel(createConfig({ sizes, activation: act, feedback }), f64, createRng(seed));
  const L = sizes.length - 1;
  const net: NaiveNet = {
    sizes,
    act: sizes.map((_, l) => (l === 0 || l === L ? 'linear' : act)),
    rows,
    x: sizes.map((n) => new Array<number>(rows * n).fill(0)),
    v: sizes.map((n) => new Array<number>(rows * n).fill(0)),
    W: [[], ...model.layers.map((layer) => Array.from(layer.weights.data))],
    b: [[], ...model.layers.map((layer) => Array.from(layer.bias.data))],
    B: [[], ...model.layers.map((layer) => (layer.feedback ? Array.from(layer.feedback.data) : []))],
    learnedFeedback: feedback === 'learned',
  };
  return { model, net };
}

function expectClose(got: ArrayLike<number>, want: readonly number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i]), `${what}[${i}]: ${got[i]} vs ${want[i]}`).toBeLessThan(1e-12);
}

function expectSameState(model: Model<Float64Array>, ws: { x: Float64Array[]; eps: Float64Array[] }, net: NaiveNet, rows: number): void {
  const { eps } = naiveErrors(net);
  for (let l = 0; l < net.sizes.length; l++) expectClose(ws.x[l].subarray(0, rows * net.sizes[l]), net.x[l], `x_${l}`);
  for (let l = 1; l < net.sizes.length; l++) {
    expectClose(model.layers[l - 1].weights.data, net.W[l], `W_${l}`);
    expectClose(model.layers[l - 1].bias.data, net.b[l], `b_${l}`);
    if (net.learnedFeedback) expectClose(model.layers[l - 1].feedback!.data, net.B[l], `B_${l}`);
    expectClose(ws.eps[l].subarray(0, rows * net.sizes[l]), eps[l], `eps_${l}`);
  }
}

describe('incremental PC (weights move with x at every step)', () => {
  it('recomputes the error of a layer above a clamped one after the weights move ([1,1]: eps_1 = −0.7, E = 0.245)', () => {
    const model = initModel(createConfig({ sizes: [1, 1] }), f64, createRng(1));
    model.layers[0].weights.data[0] = 1;
    model.layers[0].bias.data[0] = 0;
    const ws = initWorkspace(model, 1, f64);
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, f64);
    const r = trainStep(
      model,
      opt,
      { rows: 1, clamp: [[1], undefined] },
      { init: 'zero', schedule: 'incremental', relax: { steps: 1, lr: 0.1, momentum: 0, tolerance: 0 } },
      ws,
    );
    // By hand: eps = 0 − 1 = −1; x_1 = 0 − 0.1·(−1) = 0.1; W = 1 − 0.1·(−(−1)·1) = 0.9; b = 0 − 0.1·1 = −0.1.
    expect(ws.x[1][0]).toBeCloseTo(0.1, 15);
    expect(model.layers[0].weights.data[0]).toBeCloseTo(0.9, 15);
    expect(model.layers[0].bias.data[0]).toBeCloseTo(-0.1, 15);
    // Then eps_1 = 0.1 − (0.9·1 − 0.1) = −0.7 and E = ½·0.49.
    expect(ws.eps[1][0]).toBeCloseTo(-0.7, 14);
    expect(r.energy).toBeCloseTo(0.245, 14);
  });

  it('learns from the x the step read, not the x it wrote, on a linear free layer ([1,1,1]: W_2 stays 1.00)', () => {
    const model = initModel(createConfig({ sizes: [1, 1, 1], activation: 'linear' }), f64, createRng(1));
    for (const layer of model.layers) {
      layer.weights.data[0] = 1;
      layer.bias.data[0] = 0;
    }
    const ws = initWorkspace(model, 1, f64);
    const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, f64);
    trainStep(
      model,
      opt,
      { rows: 1, clamp: [[1], undefined, [1]] },
      { init: 'zero', schedule: 'incremental', relax: { steps: 1, lr: 0.1, momentum: 0, tolerance: 0 } },
      ws,
    );
    // By hand: x_1 was 0 when the step read it, so ∂E/∂W_2 = −eps_2·x_1 = 0; x_1 moves to 0.2.
    expect(ws.x[1][0]).toBeCloseTo(0.2, 15);
    expect(model.layers[1].weights.data[0]).toBeCloseTo(1, 15);
    expect(model.layers[0].weights.data[0]).toBeCloseTo(1 - 0.1, 15); // −eps_1·x_0 = 1
  });

  const cases: { name: string; sizes: number[]; act: NaiveActivation; feedback?: Feedback; topOnly?: boolean }[] = [
    { name: 'tanh layers, x_0 and x_L clamped', sizes: [3, 4, 2], act: 'tanh' },
    { name: 'linear layers, x_0 and x_L clamped', sizes: [2, 3, 3, 2], act: 'linear' },
    { name: 'tanh layers, x_0 free', sizes: [2, 3, 2], act: 'tanh', topOnly: true },
    { name: 'learned feedback', sizes: [3, 4, 3, 2], act: 'tanh', feedback: 'learned' },
  ];
  for (const c of cases) {
    for (const steps of [1, 3]) {
      it(`matches the float64 oracle after ${steps} step${steps > 1 ? 's' : ''}: ${c.name}`, () => {
        const rows = 2;
        const { model, net } = twins(c.sizes, c.act, rows, c.feedback);
        const L = c.sizes.length - 1;
        const rng = createRng(5);
        const bottom = Array.from({ length: rows * c.sizes[0] }, () => rng.normal());
        const top = Array.from({ length: rows * c.sizes[L] }, () => rng.normal());
        const free = c.sizes.map((_, l) => !(l === L || (l === 0 && !c.topOnly)));
        if (!c.topOnly) net.x[0] = [...bottom];
        net.x[L] = [...top];
        naiveForwardInit(net, free);
        for (let t = 0; t < steps; t++) naiveIncrementalStep(net, free, 0.2, 0.5, 0.3);
        const ws = initWorkspace(model, rows, f64);
        const opt = initOptimizer(model, { name: 'sgd', lr: 0.3 }, f64);
        const clamp = c.sizes.map((_, l) => (l === L ? top : l === 0 && !c.topOnly ? bottom : undefined));
        const r = trainStep(
          model,
          opt,
          { rows, clamp },
          { init: 'forward', schedule: 'incremental', relax: { steps, lr: 0.2, momentum: 0.5, tolerance: 0 } },
          ws,
          { trace: true },
        );
        expectSameState(model, ws, net, rows);
        expect(Math.abs(r.energy - naiveErrors(net).E)).toBeLessThan(1e-12);
        expect(r.trace?.at(-1)).toBe(r.energy);
      });
    }
  }
});

describe('streaming PC (weights learn after every step, states never reset)', () => {
  const variants: { name: string; feedback: Feedback; stillness?: number; act: NaiveActivation }[] = [
    { name: 'plain rule', feedback: 'symmetric', act: 'tanh' },
    { name: 'stillness-modulated plasticity', feedback: 'symmetric', stillness: 0.05, act: 'tanh' },
    { name: 'learned feedback with stillness (B stays W’s mirror)', feedback: 'learned', stillness: 0.05, act: 'tanh' },
    { name: 'linear layers', feedback: 'symmetric', act: 'linear' },
  ];
  for (const c of variants) {
    it(`matches the float64 oracle over two examples of two steps each: ${c.name}`, async () => {
      const sizes = [3, 4, 3, 2];
      const L = sizes.length - 1;
      const { model, net } = twins(sizes, c.act, 1, c.feedback, 13);
      const rng = createRng(8);
      const data: LabeledData = {
        count: 2,
        features: 3,
        classes: 2,
        images: Float32Array.from({ length: 6 }, () => rng.normal()),
        labels: Uint8Array.from([1, 0]),
      };
      const free = sizes.map((_, l) => l > 0 && l < L);
      const seed = 4;
      const order = shuffledOrder(2, createRng(seed));
      for (const [k, i] of Array.from(order).entries()) {
        net.x[0] = Array.from(data.images.subarray(3 * i, 3 * i + 3));
        net.x[L] = [0, 0];
        net.x[L][data.labels[i]] = 1;
        if (k === 0) naiveForwardInit(net, free);
        for (let t = 0; t < 2; t++) naiveStepThenLearn(net, free, 0.3, 0.2, 0.1, c.stillness);
      }
      const ws = initWorkspace(model, 1, f64);
      const opt = initOptimizer(model, { name: 'sgd', lr: 0.1 }, f64);
      await stream(model, opt, ws, data, { stepsPerExample: 2, relax: { steps: 2, lr: 0.3, momentum: 0.2, tolerance: 0 }, seed, stillness: c.stillness });
      expectSameState(model, ws, net, 1);
    });
  }
});
