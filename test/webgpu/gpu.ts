/** What every WebGPU test file shares: one device per file, and one compute pass run and read back. */
import { afterAll, beforeAll } from 'vitest';
import { download } from '../../packages/predictive-coding/src/kernels/webgpu/buffers.ts';
import { type GpuContext, requestGpu } from '../../packages/predictive-coding/src/kernels/webgpu/device.ts';

/**
 * Registers a device for this file (failing, with the reason, where there is no adapter: these tests
 * run under `npm run test:webgpu`, which finds one) and returns its getter, valid inside tests.
 */
export function useGpu(): () => GpuContext {
  let gpu: GpuContext | undefined;
  beforeAll(async () => {
    const got = await requestGpu();
    if (typeof got === 'string') throw new Error(`no WebGPU device: ${got}`);
    gpu = got;
  });
  afterAll(() => gpu?.device.destroy());
  return () => {
    if (!gpu) throw new Error('useGpu: the device is made in beforeAll; call the getter inside a test');
    return gpu;
  };
}

/**
 * Records `record` into one compute pass, submits it, and reads back `outs` (buffer, floats) once it
 * has run; the uniform buffers `record` returns are destroyed afterwards.
 */
export async function runPass(
  device: GPUDevice,
  record: (pass: GPUComputePassEncoder) => GPUBuffer | GPUBuffer[],
  outs: readonly (readonly [GPUBuffer, number])[],
): Promise<Float32Array[]> {
  const encoder = device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  const temps = record(pass);
  pass.end();
  device.queue.submit([encoder.finish()]);
  const got = await Promise.all(outs.map(([b, n]) => download(device, b, n)));
  for (const t of Array.isArray(temps) ? temps : [temps]) t.destroy();
  return got;
}
