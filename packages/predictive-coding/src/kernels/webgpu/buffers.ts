/**
 * Device memory of the `webgpu` backend: explicit uploads, and downloads as
 * the only asynchronous step (a read waits for the queue).
 */
import { MAP_READ, USAGE } from './device.ts';

/** A float32 storage buffer of `length` elements (at least one, since WebGPU binds no empty buffer), zeroed. */
export function createArray(device: GPUDevice, length: number, label?: string): GPUBuffer {
  return device.createBuffer({ size: Math.max(1, length) * 4, usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST, label });
}

/** A storage buffer holding a copy of `data`. */
export function upload(device: GPUDevice, data: Float32Array, label?: string): GPUBuffer {
  const buffer = createArray(device, data.length, label);
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** The first `length` floats of `buffer`, once the work queued before this call has finished. */
export async function download(device: GPUDevice, buffer: GPUBuffer, length: number): Promise<Float32Array> {
  const bytes = Math.max(1, length) * 4;
  const staging = device.createBuffer({ size: bytes, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  try {
    const encoder = device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(MAP_READ);
    return new Float32Array(staging.getMappedRange().slice(0, length * 4));
  } finally {
    staging.destroy();
  }
}
