/** `pcn train --backend`: webgpu where it cannot serve is refused in one line before anything runs. */
import { describe, expect, it } from 'vitest';
import { pcn } from './run.ts';

describe('pcn train --backend', () => {
  it('refuses webgpu for the streaming schedule and generative models, and an unknown backend, in one line each (exit 1)', () => {
    const streaming = pcn(['train', '--backend', 'webgpu', '--schedule', 'streaming', '--layers', '784,8,10']);
    expect(streaming.status).toBe(1);
    expect(streaming.stderr).toMatch(/^error: --backend webgpu: the streaming schedule reads its numbers at every step.*\n$/);
    const generative = pcn(['train', '--backend', 'webgpu', '--orientation', 'generative', '--layers', '10,8,784']);
    expect(generative.status).toBe(1);
    expect(generative.stderr).toMatch(/^error: --backend webgpu: a generative model is evaluated by relaxation.*\n$/);
    const unknown = pcn(['train', '--backend', 'cuda']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('wasm, js, webgpu');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('auto falls back to wasm where there is no WebGPU adapter, saying so in one line, and trains', () => {
    const saved = process.env.VK_ICD_FILENAMES;
    // No Vulkan driver at all: Dawn finds no adapter on Linux.
    process.env.VK_ICD_FILENAMES = '/nonexistent.json';
    try {
      const r = pcn(['train', '--backend', 'auto', '--layers', '784,8,10', '--epochs', '1', '--no-progress']);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^auto: wasm — no WebGPU here \(.*\)\n/);
      expect(r.stdout).toContain('wasm backend');
    } finally {
      if (saved === undefined) delete process.env.VK_ICD_FILENAMES;
      else process.env.VK_ICD_FILENAMES = saved;
    }
  });
});
