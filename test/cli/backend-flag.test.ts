/** `pcn train --backend`: webgpu where it cannot serve is refused in one line before anything runs. */
import { describe, expect, it } from 'vitest';
import { pcn } from './run.ts';

describe('pcn train --backend', () => {
  it('refuses webgpu for the streaming schedule, and an unknown backend, in one line each (exit 1)', () => {
    const streaming = pcn(['train', '--backend', 'webgpu', '--schedule', 'streaming', '--layers', '784,8,10']);
    expect(streaming.status).toBe(1);
    expect(streaming.stderr).toMatch(/^error: --backend webgpu: the streaming schedule reads its numbers at every step.*\n$/);
    const unknown = pcn(['train', '--backend', 'cuda']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('wasm, js, webgpu');
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  });
});
