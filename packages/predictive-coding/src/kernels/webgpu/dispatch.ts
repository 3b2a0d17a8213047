/**
 * What every WebGPU kernel file shares: pipelines compiled once per device and
 * key, and one dispatch recorded into a caller's compute pass — its storage
 * buffers bound in order, then a uniform buffer of parameters.
 *
 * A training step records a few hundred dispatches, so their host cost
 * counts. Measured in Node (Dawn) here: creating a bind group 13 µs, writing
 * a uniform 0.8 µs, setting pipeline and bind group and dispatching 2.6 µs.
 * With a UniformPool (the backend's), uniform buffers are reused from one
 * submission to the next, and a bind group made for the same pipeline,
 * buffers and pool slot is reused too: recording an axpy through the backend
 * went from 36–41 µs to 23–24 µs in steady state (scratch measurement,
 * 1,000–5,000 dispatches a pass).
 */
import { USAGE } from './device.ts';

/** Most workgroups in one grid dimension (WebGPU's default limit); more spill into a second dimension. */
const MAX_GROUPS = 65_535;

/** Bytes of one pooled uniform buffer: every kernel's parameters fit (the largest, conv's, are 52). */
const UNIFORM_BYTES = 64;

/** Bind groups kept per dispatcher; past this the cache starts over (arrays freed since leave stale keys). */
const MAX_BIND_GROUPS = 4096;

/**
 * Uniform buffers handed out one per dispatch until `reset`, which the owner calls once the pass that
 * used them is submitted: a buffer written after a submission is written after that submission runs
 * (WebGPU's queue order), so it can serve the next pass at once.
 */
export class UniformPool {
  private readonly buffers: GPUBuffer[] = [];
  private next = 0;

  constructor(private readonly device: GPUDevice) {}

  /** A uniform buffer no dispatch of the pending pass uses yet, holding `params`. */
  take(params: ArrayBuffer): GPUBuffer {
    if (this.next === this.buffers.length) this.buffers.push(this.device.createBuffer({ size: UNIFORM_BYTES, usage: USAGE.UNIFORM | USAGE.COPY_DST }));
    const buffer = this.buffers[this.next++];
    this.device.queue.writeBuffer(buffer, 0, params);
    return buffer;
  }

  /** The pending pass was submitted: every buffer may be taken again. */
  reset(): void {
    this.next = 0;
  }

  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.buffers.length = 0;
  }
}

/** A number per GPU object, for cache keys. */
const ids = new WeakMap<object, number>();
let lastId = 0;
function idOf(o: object): number {
  let id = ids.get(o);
  if (id === undefined) {
    id = ++lastId;
    ids.set(o, id);
  }
  return id;
}

export class Dispatcher {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly bindGroups = new Map<string, GPUBindGroup>();

  constructor(
    readonly device: GPUDevice,
    private readonly uniforms?: UniformPool,
  ) {}

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
   * that uniform buffer: the caller destroys it once the work has run — unless it came from the pool.
   */
  dispatch(
    pass: GPUComputePassEncoder,
    pipe: GPUComputePipeline,
    buffers: readonly GPUBuffer[],
    params: ArrayBuffer,
    groups: number | [number, number],
  ): GPUBuffer {
    const uniform = this.uniforms ? this.uniforms.take(params) : this.fresh(params);
    pass.setPipeline(pipe);
    pass.setBindGroup(0, this.bindGroup(pipe, [...buffers, uniform]));
    if (Array.isArray(groups)) pass.dispatchWorkgroups(groups[0], groups[1]);
    else {
      const g = Math.max(1, groups);
      pass.dispatchWorkgroups(Math.min(g, MAX_GROUPS), Math.ceil(g / MAX_GROUPS));
    }
    return uniform;
  }

  private fresh(params: ArrayBuffer): GPUBuffer {
    const uniform = this.device.createBuffer({ size: Math.ceil(params.byteLength / 16) * 16, usage: USAGE.UNIFORM | USAGE.COPY_DST });
    this.device.queue.writeBuffer(uniform, 0, params);
    return uniform;
  }

  // Made once per pipeline and buffers where the uniforms are pooled (a fresh uniform never repeats).
  private bindGroup(pipe: GPUComputePipeline, buffers: readonly GPUBuffer[]): GPUBindGroup {
    const make = () =>
      this.device.createBindGroup({
        layout: pipe.getBindGroupLayout(0),
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      });
    if (!this.uniforms) return make();
    const key = `${idOf(pipe)}:${buffers.map(idOf).join(',')}`;
    let group = this.bindGroups.get(key);
    if (!group) {
      if (this.bindGroups.size >= MAX_BIND_GROUPS) this.bindGroups.clear();
      group = make();
      this.bindGroups.set(key, group);
    }
    return group;
  }
}
