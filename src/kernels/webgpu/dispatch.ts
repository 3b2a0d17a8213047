/**
 * What every WebGPU kernel file shares: pipelines compiled once per device and
 * key, and one dispatch recorded into a caller's compute pass — its storage
 * buffers bound in order, then a uniform buffer of parameters.
 */
import { USAGE } from './device.ts';

/** Most workgroups in one grid dimension (WebGPU's default limit); more spill into a second dimension. */
const MAX_GROUPS = 65_535;

export class Dispatcher {
  private readonly pipelines = new Map<string, GPUComputePipeline>();

  constructor(readonly device: GPUDevice) {}

  /** The pipeline of `code()`'s entry point `main`, compiled on the first call for `key` (seconds on SwiftShader). */
  pipeline(key: string, code: () => string): GPUComputePipeline {
    let pipe = this.pipelines.get(key);
    if (!pipe) {
      const module = this.device.createShaderModule({ code: code(), label: key });
      pipe = this.device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: key });
      this.pipelines.set(key, pipe);
    }
    return pipe;
  }

  /**
   * Records `pipe` over `groups` workgroups (a count, laid out as x up to 65,535 then y; or an explicit
   * [x, y] grid) with `buffers` at bindings 0, 1, … and `params` in a uniform buffer after them. Returns
   * that uniform buffer, for the caller to destroy once the work has run.
   */
  dispatch(
    pass: GPUComputePassEncoder,
    pipe: GPUComputePipeline,
    buffers: readonly GPUBuffer[],
    params: ArrayBuffer,
    groups: number | [number, number],
  ): GPUBuffer {
    const uniform = this.device.createBuffer({ size: Math.ceil(params.byteLength / 16) * 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.device.queue.writeBuffer(uniform, 0, params);
    pass.setPipeline(pipe);
    pass.setBindGroup(
      0,
      this.device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: [...buffers, uniform].map((buffer, binding) => ({ binding, resource: { buffer } })),
      }),
    );
    if (Array.isArray(groups)) pass.dispatchWorkgroups(groups[0], groups[1]);
    else {
      const g = Math.max(1, groups);
      pass.dispatchWorkgroups(Math.min(g, MAX_GROUPS), Math.ceil(g / MAX_GROUPS));
    }
    return uniform;
  }
}
