/** `pcn train --backend`: a backend that cannot serve is refused in one line before anything runs. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuBackendName } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { pcn } from './run.ts';

describe('pcn train --backend', () => {
  it('refuses an unknown backend, and webgpu where there is no adapter, in one line each (exit 1), writing nothing', () => {
    const unknown = pcn(['train', '--backend', 'cuda']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('cpu, native, wasm, js, webgpu');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const saved = process.env.VK_ICD_FILENAMES;
    process.env.VK_ICD_FILENAMES = '/nonexistent.json';
    try {
      const out = join(mkdtempSync(join(tmpdir(), 'pcn-nogpu-')), 'run');
      const none = pcn(['train', '--backend', 'webgpu', '--schedule', 'streaming', '--layers', '784,8,10', '--out', out]);
      expect(none.status).toBe(1);
      // Dawn's own two-line Vulkan warning may precede it; the error is one line.
      expect(none.stderr.split('\n').filter((l) => l.startsWith('error'))).toEqual([
        expect.stringMatching(/^error: createBackend\('webgpu'\): no WebGPU here: .* Use 'wasm'\.$/),
      ]);
      expect(existsSync(out)).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });

  it('auto falls back to the CPU (native where built, else wasm) where there is no WebGPU adapter, saying so in one line, and trains', async () => {
    const cpu = await cpuBackendName();
    const saved = process.env.VK_ICD_FILENAMES;
    // No Vulkan driver at all: Dawn finds no adapter on Linux.
    process.env.VK_ICD_FILENAMES = '/nonexistent.json';
    try {
      const r = pcn(['train', '--backend', 'auto', '--layers', '784,8,10', '--epochs', '1', '--no-progress']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^auto: ${cpu} — no WebGPU here \\(.*\\)\n`));
      expect(r.stdout).toContain(`${cpu} backend`);
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });
});
