/**
 * `pcn train --backend webgpu` end to end over the adapter test:webgpu found: a run on the
 * embedded digits writes its checkpoint from GPU memory, which `pcn eval` (on wasm, and on the
 * GPU) reads back to the accuracy the run reported; `--resume` continues it on the GPU, and on wasm.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pcn } from '../cli/run.ts';

describe('pcn on webgpu', () => {
  it('trains, checkpoints, evaluates and resumes', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'pcn-gpu-')), 'run');
    const first = pcn(['train', '--backend', 'webgpu', '--layers', '784,16,10', '--epochs', '1', '--out', out], 300_000);
    expect(first.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([]);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('webgpu backend');
    const acc = /held-out accuracy: ([\d.]+) %/.exec(first.stdout)?.[1];
    expect(Number(acc)).toBeGreaterThan(50);
    const evaluated = pcn(['eval', '--model', join(out, 'model.safetensors')]);
    expect(evaluated.status).toBe(0);
    expect(evaluated.stdout).toContain(`held-out accuracy: ${acc} %`);
    const onGpu = pcn(['eval', '--backend', 'webgpu', '--model', join(out, 'model.safetensors')], 300_000);
    expect(onGpu.status).toBe(0);
    expect(onGpu.stdout).toContain(`held-out accuracy: ${acc} %`);
    const resumed = pcn(['train', '--backend', 'webgpu', '--layers', '784,16,10', '--epochs', '2', '--resume', out], 300_000);
    expect(resumed.status).toBe(0);
    expect(resumed.stdout).toContain('epoch 2/2');
    // A GPU run continues on a machine without one: from the same weights, said not to be bit-identical.
    const onCpu = pcn(['train', '--backend', 'wasm', '--epochs', '3', '--resume', out], 300_000);
    expect(onCpu.status).toBe(0);
    expect(onCpu.stderr).toMatch(/continuing on --backend wasm .* trained on webgpu: from the same weights, but not bit-identically/);
    expect(onCpu.stdout).toContain('epoch 3/3');
  }, 600_000);
});
