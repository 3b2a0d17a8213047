import { describe, expect, it } from 'vitest';
import { sampleDigits } from '../../packages/pcn/src/generative.ts';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import { catchPcError } from '../helpers/errors.ts';

describe('sampling digits', () => {
  it('refuses a label the model lacks, naming the model file', () => {
    const js = createReferenceBackend('float32');
    const model = initModel(createConfig({ sizes: [3, 4, 6], orientation: 'generative' }), js, createRng(1));
    expect(catchPcError(() => sampleDigits(model, js, 3, 1, 0, 0, 'runs/a/model.safetensors'), 'config').message).toBe(
      'generate: label 3 is not a class of runs/a/model.safetensors, whose label layer has 3 units (classes 0..2). Pass --label 0 to 2.',
    );
    expect(sampleDigits(model, js, 2, 1, 0, 0, 'm').length).toBe(1);
  });
});
