/** Test script: relaxes once with two layer groups, then with a relaxer it never closes; the process must still exit on its own. */
import { relaxConcurrently, startConcurrentRelaxer } from '../../packages/predictive-coding/src/concurrent/index.ts';
import { createConfig, initModel, initValues, initWorkspace } from '../../packages/predictive-coding/src/core/index.ts';
import { createBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';

const sizes = [6, 5, 4, 3];
const backend = await createBackend('wasm', { threads: 2 });
const model = initModel(createConfig({ sizes }), backend, createRng(1));
const ws = initWorkspace(model, 2, backend);
initValues(model, ws, 2, [new Float32Array(12).fill(0.5), undefined, undefined, new Float32Array(6).fill(1)], 'forward');
const r = await relaxConcurrently(model, ws, 2, [true, false, false, true], { steps: 20, lr: 0.1, workers: 2 });
console.log(`relaxed: ${r.energy}`);
const relaxer = await startConcurrentRelaxer(model, 2, [true, false, false, true], { workers: 2 });
initValues(model, ws, 2, [new Float32Array(12).fill(0.5), undefined, undefined, new Float32Array(6).fill(1)], 'forward');
console.log(`left open: ${(await relaxer.relax(ws, { steps: 20, lr: 0.1 })).energy}`);
