/**
 * Checkpoints in the safetensors format (readable by the `safetensors`
 * Python package, numpy and others): an 8-byte little-endian header length,
 * a JSON header, then raw little-endian float32 data.
 *
 * Tensors: `layers.{l}.weights` [n_l, n_{l−1}] and `layers.{l}.bias` [n_l]
 * for l = 1…L, `layers.{l}.feedback` [n_{l−1}, n_l] for learned or random
 * feedback, and, when saved, `optimizer.{i}.m` / `optimizer.{i}.v` in
 * parameter order. `__metadata__` (all strings, as the format requires)
 * holds `format`, `version`, `config` (the PcnConfig as JSON), `crc32` of the
 * data section (safetensors itself has no checksum), optionally `optimizer`
 * and `optimizer_step`, and any caller entries.
 */
import { type Model, type PcnConfig, validateConfig } from '../core/index.ts';
import { check, PcError } from '../errors.ts';
import type { Backend, FloatArray } from '../kernels/index.ts';
import { zeros } from '../kernels/index.ts';
import { DEFAULT_OPTIMIZER, type OptimizerConfig, type OptimizerState, parameters } from './optim.ts';

export const CHECKPOINT_FORMAT = 'predictive-coding';
export const CHECKPOINT_VERSION = '1';

interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface Checkpoint {
  readonly config: PcnConfig;
  /** Tensors by name (copies, float32). */
  readonly tensors: ReadonlyMap<string, Float32Array>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly optimizer?: { readonly config: OptimizerConfig; readonly step: number };
}

/** Serialises a model (and optionally its optimiser state) to safetensors bytes. */
export function encodeCheckpoint<T extends FloatArray>(
  model: Model<T>,
  options: { optimizer?: OptimizerState<T>; metadata?: Record<string, string> } = {},
): Uint8Array {
  const named: [string, ArrayLike<number>, number[]][] = [];
  model.layers.forEach((layer, i) => {
    named.push([`layers.${i + 1}.weights`, layer.weights.data, [...layer.weights.shape]]);
    named.push([`layers.${i + 1}.bias`, layer.bias.data, [layer.bias.shape[1]]]);
    if (layer.feedback) named.push([`layers.${i + 1}.feedback`, layer.feedback.data, [...layer.feedback.shape]]);
  });
  const opt = options.optimizer;
  if (opt) {
    opt.slots.forEach(([m, v], i) => {
      if (m.length) named.push([`optimizer.${i}.m`, m, [m.length]]);
      if (v.length) named.push([`optimizer.${i}.v`, v, [v.length]]);
    });
  }
  let offset = 0;
  const entries: Record<string, TensorEntry> = {};
  for (const [name, data, shape] of named) {
    entries[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.length * 4] };
    offset += data.length * 4;
  }
  const body = new Uint8Array(offset);
  const view = new DataView(body.buffer);
  let at = 0;
  for (const [, data] of named) {
    for (let i = 0; i < data.length; i++, at += 4) view.setFloat32(at, data[i], true);
  }
  const metadata: Record<string, string> = {
    ...options.metadata,
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    config: JSON.stringify(model.config),
    crc32: crc32(body).toString(16).padStart(8, '0'),
  };
  if (opt) {
    metadata.optimizer = JSON.stringify(opt.config);
    metadata.optimizer_step = String(opt.step);
  }
  let header = JSON.stringify({ __metadata__: metadata, ...entries });
  header += ' '.repeat((8 - ((8 + header.length) % 8)) % 8); // align the data section to 8 bytes, as the reference writer does
  const headerBytes = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + headerBytes.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  out.set(body, 8 + headerBytes.length);
  return out;
}

/** Parses and fully validates checkpoint bytes; `name` (a path) appears in every error. Throws PcError('data'). */
export function decodeCheckpoint(bytes: Uint8Array, name: string): Checkpoint {
  const bad = (what: string): PcError => new PcError('data', `${name}: ${what}`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes is too short for a safetensors file (8-byte header length first). The file is truncated or empty.`);
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (headerLength > bytes.length - 8)
    throw bad(`the header claims ${headerLength} bytes but only ${bytes.length - 8} follow. The file is truncated or not a safetensors checkpoint.`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw bad('the header is not valid JSON. The file is corrupt or not a safetensors checkpoint.');
  }
  const meta = header.__metadata__ as Record<string, string> | undefined;
  if (!meta || meta.format !== CHECKPOINT_FORMAT)
    throw bad(`this safetensors file is not a ${CHECKPOINT_FORMAT} checkpoint (metadata format is ${JSON.stringify(meta?.format)}).`);
  if (meta.version !== CHECKPOINT_VERSION) throw bad(`checkpoint version ${meta.version} is not supported (this library reads version ${CHECKPOINT_VERSION}).`);
  let config: PcnConfig;
  try {
    config = validateConfig(JSON.parse(meta.config));
  } catch (e) {
    throw bad(`the stored model config is invalid: ${e instanceof Error ? e.message : String(e)}`);
  }
  const data = bytes.subarray(8 + headerLength);
  const tensors = new Map<string, Float32Array>();
  let end = 0;
  for (const [key, value] of Object.entries(header)) {
    if (key === '__metadata__') continue;
    const e = value as TensorEntry;
    if (e?.dtype !== 'F32') throw bad(`tensor ${key} has dtype ${JSON.stringify(e?.dtype)}; this library stores F32.`);
    const [from, to] = e.data_offsets ?? [];
    const count = (e.shape ?? []).reduce((a, b) => a * b, 1);
    if (!(Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= data.length && to - from === count * 4)) {
      throw bad(
        `tensor ${key} (shape [${e.shape}]) has data offsets [${from}, ${to}] outside the ${data.length}-byte data section or of the wrong length. The file is truncated or corrupt.`,
      );
    }
    const view = new DataView(data.buffer, data.byteOffset + from, to - from);
    const t = new Float32Array(count);
    for (let i = 0; i < count; i++) t[i] = view.getFloat32(i * 4, true);
    tensors.set(key, t);
    end = Math.max(end, to);
  }
  if (end !== data.length) throw bad(`${data.length - end} bytes after the last tensor; the file is corrupt.`);
  if (meta.crc32 !== undefined && crc32(data).toString(16).padStart(8, '0') !== meta.crc32) {
    throw bad('the tensor data does not match its CRC-32: the file is corrupt. Restore it from a good copy.');
  }
  const sizes = config.sizes;
  for (let l = 1; l < sizes.length; l++) {
    const expected: [string, number, string][] = [
      ['weights', sizes[l] * sizes[l - 1], `[${sizes[l]}, ${sizes[l - 1]}]`],
      ['bias', sizes[l], `[${sizes[l]}]`],
    ];
    if (config.feedback !== 'symmetric') expected.push(['feedback', sizes[l] * sizes[l - 1], `[${sizes[l - 1]}, ${sizes[l]}]`]);
    for (const [suffix, count, shape] of expected) {
      const t = tensors.get(`layers.${l}.${suffix}`);
      if (!t) throw bad(`tensor layers.${l}.${suffix} is missing.`);
      if (t.length !== count) throw bad(`tensor layers.${l}.${suffix} has ${t.length} values but the stored config (sizes ${sizes.join('-')}) needs ${shape}.`);
    }
  }
  const metadata = { ...meta };
  const optimizer = meta.optimizer
    ? { config: { ...DEFAULT_OPTIMIZER, ...(JSON.parse(meta.optimizer) as Partial<OptimizerConfig>) }, step: Number(meta.optimizer_step ?? 0) }
    : undefined;
  return { config, tensors, metadata, optimizer };
}

/** A model in the backend's memory with the checkpoint's weights. */
export function modelFromCheckpoint<T extends FloatArray>(ckpt: Checkpoint, backend: Backend<T>): Model<T> {
  const sizes = ckpt.config.sizes;
  const layers = [];
  for (let l = 1; l < sizes.length; l++) {
    const weights = zeros(backend, sizes[l], sizes[l - 1]);
    const bias = zeros(backend, 1, sizes[l]);
    weights.data.set(ckpt.tensors.get(`layers.${l}.weights`)!);
    bias.data.set(ckpt.tensors.get(`layers.${l}.bias`)!);
    const stored = ckpt.tensors.get(`layers.${l}.feedback`);
    if (ckpt.config.feedback === 'symmetric' || !stored) {
      layers.push({ weights, bias });
      continue;
    }
    const feedback = zeros(backend, sizes[l - 1], sizes[l]);
    feedback.data.set(stored);
    layers.push({ weights, bias, feedback });
  }
  return { config: ckpt.config, layers };
}

/** Copies the checkpoint's optimiser moments into `state` (from initOptimizer with the same config); checks every length. */
export function restoreOptimizer<T extends FloatArray>(ckpt: Checkpoint, model: Model<T>, state: OptimizerState<T>): void {
  check(ckpt.optimizer !== undefined, 'data', () => 'restoreOptimizer: the checkpoint holds no optimiser state.');
  const params = parameters(model);
  state.slots.forEach(([m, v], i) => {
    for (const [slot, key] of [
      [m, `optimizer.${i}.m`],
      [v, `optimizer.${i}.v`],
    ] as const) {
      if (!slot.length) continue;
      const t = ckpt.tensors.get(key);
      check(
        t !== undefined && t.length === params[i].length,
        'data',
        () => `restoreOptimizer: ${key} is missing or has the wrong length for this model and optimiser.`,
      );
      slot.set(t);
    }
  });
  state.step = ckpt.optimizer.step;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib and PNG use). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
