/**
 * predictive-coding: predictive coding networks for TypeScript.
 * Layers of the package mirror layers of the idea: kernels → core → train → data → cli/web.
 */

export * from './core/index.ts';
export * from './data/index.ts';
export { PcError, type PcErrorCode } from './errors.ts';
export * from './kernels/index.ts';
export { createRng, MAX_SEED, offsetSeed, parseRngState, type Rng, type RngState, restoreRng } from './random.ts';
export * from './train/index.ts';
