/** What an adapter's description says about it. */

/** Software rasterisers that WebGPU may offer as an adapter: they run the shaders on the CPU. */
const CPU_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|basic render/i;

/**
 * True when an adapter described as `description` (its description, vendor and architecture, any
 * of them) runs on the CPU — SwiftShader, llvmpipe, lavapipe, softpipe, Microsoft Basic Render —
 * where WebGPU is ~100× slower than wasm (docs/webgpu.md), so nothing picks it unasked.
 */
export function isCpuAdapter(description: string): boolean {
  return CPU_ADAPTER.test(description);
}
