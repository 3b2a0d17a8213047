// examples/matmul.ts (the tests run it and check this block matches it)
import { createBackend } from 'predictive-coding';
import { matmul, tensor, zeros } from 'predictive-coding/kernels';

const backend = await createBackend('auto', { threads: 2 }); // native where its addon is built, else wasm
const a = tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
const b = tensor(Float32Array.from([1, 0, 0, 1, 1, 1]), [3, 2]);
const c = zeros(backend, 2, 2); // in the backend's own memory
matmul(backend, a, b, c); // shapes and aliasing checked here
console.log(c.data); // Float32Array [4, 5, 10, 11]
backend.dispose();
