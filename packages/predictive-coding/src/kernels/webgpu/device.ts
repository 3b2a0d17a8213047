/**
 * A WebGPU device for the `webgpu` backend (issue 12): the browser's
 * `navigator.gpu`, or in Node the optional npm package `webgpu` (Dawn,
 * prebuilt inside the package; nothing is downloaded). Where neither gives an
 * adapter, requestGpu says why in one line instead of throwing, so a caller
 * can fall back to wasm with a notice.
 *
 * On a Linux machine without a GPU, Debian's `chromium` ships SwiftShader's
 * Vulkan driver: with VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json
 * (and /usr/lib/chromium on LD_LIBRARY_PATH for its libvulkan) Dawn finds a
 * "SwiftShader" adapter that runs compute shaders correctly, on the CPU.
 */

/** GPUBufferUsage and GPUMapMode flags (WebGPU spec values): Node's `webgpu` defines the globals only on request. */
export const USAGE = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;
export const MAP_READ = 1;

export interface GpuContext {
  /**
   * The entry point the device came from. Held for as long as the device is used: in Node, Dawn
   * destroys its instance when this object is collected, and a device outliving it crashes the process
   * (seen as futex errors and segmentation faults in the middle of a readback).
   */
  readonly gpu: GPU;
  readonly device: GPUDevice;
  /** The adapter's description (e.g. "SwiftShader driver 5.0.0"), for notices and benchmarks. */
  readonly adapter: string;
}

interface NodeWebGpu {
  create(flags: string[]): GPU;
}

/** The GPU entry point of this environment, or why there is none. */
async function gpuEntry(): Promise<GPU | string> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (typeof process === 'undefined' || !process.versions?.node) return 'this browser has no WebGPU (navigator.gpu is missing)';
  try {
    // A variable specifier keeps bundlers from resolving the optional Node package for the browser.
    const name = 'webgpu';
    const mod = (await import(name)) as NodeWebGpu;
    return mod.create([]);
  } catch (e) {
    return `the optional package 'webgpu' could not be loaded (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
  }
}

/**
 * A device with the adapter's own limits for storage buffers and workgroup memory,
 * or a one-line reason why there is none (no WebGPU, no adapter, device refused).
 */
export async function requestGpu(): Promise<GpuContext | string> {
  const gpu = await gpuEntry();
  if (typeof gpu === 'string') return gpu;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    return "WebGPU found no adapter, no GPU driver (on Linux without a GPU, Chromium's SwiftShader can stand in: VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json LD_LIBRARY_PATH=/usr/lib/chromium; see docs/webgpu.md)";
  const { limits } = adapter;
  try {
    const device = await adapter.requestDevice({
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
      },
    });
    const info = adapter.info;
    const name = [info?.description, info?.vendor, info?.architecture].find((s) => s !== undefined && s !== '') ?? 'unnamed adapter';
    return { gpu, device, adapter: name };
  } catch (e) {
    return `the WebGPU adapter refused a device (${e instanceof Error ? e.message : String(e)})`;
  }
}
