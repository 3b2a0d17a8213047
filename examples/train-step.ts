// examples/train-step.ts — the one-call training step on a toy problem (the tests run it).
import { createBackend, createConfig, createRng, initModel, initOptimizer, initWorkspace, predictLabels, supervisedBatch, trainStep } from 'predictive-coding';

const rng = createRng(42);
// 64 points in 2-D, labelled by the sign of x·y (XOR-like: not linearly separable).
const rows = 64;
const inputs = new Float32Array(rows * 2);
const targets = new Float32Array(rows * 2);
const labels = new Int32Array(rows);
for (let i = 0; i < rows; i++) {
  const [a, b] = [rng.next() * 2 - 1, rng.next() * 2 - 1];
  inputs.set([a, b], i * 2);
  labels[i] = a * b > 0 ? 1 : 0;
  targets[i * 2 + labels[i]] = 1;
}

const backend = await createBackend('auto');
const model = initModel(createConfig({ sizes: [2, 16, 2], activation: 'tanh' }), backend, rng);
const opt = initOptimizer(model, { name: 'adamw', lr: 0.02 }, backend);
const ws = initWorkspace(model, rows, backend);
const batch = supervisedBatch(model.config, inputs, targets, rows);
const config = { init: 'forward' as const, relax: { steps: 20, lr: 0.1, momentum: 0.5, tolerance: 0 } };

let first = 0;
let last = 0;
for (let step = 0; step < 300; step++) {
  const { energy } = trainStep(model, opt, batch, config, ws); // relax, then one Hebbian weight update
  if (step === 0) first = energy;
  last = energy;
}
const predicted = new Int32Array(rows);
predictLabels(model, ws, rows, inputs, predicted);
const correct = predicted.filter((p, i) => p === labels[i]).length;
console.log(`energy ${first.toFixed(2)} → ${last.toFixed(3)}; training accuracy ${correct}/${rows}`);
backend.dispose();
