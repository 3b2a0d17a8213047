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
import { type Model, type PcnConfig, parameterShapesOf, validateConfig } from '../core/index.ts';
import { check, checkObject, fileBytes, PcError, shown } from '../errors.ts';
import type { FloatArray } from '../kernels/index.ts';
import { oneLine, quoted } from '../printable.ts';
import { type Bad, FORGED, type HeaderTensor, headerLengthOf, parseHeader, parseStrictJson } from './checkpoint-header.ts';
import { checkOptimizerState, MOMENTS, type OptimizerConfig, type OptimizerState, validateOptimizerConfig } from './optim.ts';

/** The `format` metadata entry every checkpoint carries. */
export const CHECKPOINT_FORMAT = 'predictive-coding';
/** The checkpoint layout's version (metadata `version`); decodeCheckpoint refuses others. */
export const CHECKPOINT_VERSION = '1';

interface TensorEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** A decoded checkpoint (safetensors): the model's configuration, its tensors by name, free-form metadata, and the optimiser's configuration and step when saved with it. */
export interface Checkpoint {
  readonly config: PcnConfig;
  /** Tensors by name (copies, float32). */
  readonly tensors: ReadonlyMap<string, Float32Array>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly optimizer?: { readonly config: OptimizerConfig; readonly step: number };
}

/** Metadata keys the checkpoint itself writes; caller entries may not use them. */
const RESERVED = ['format', 'version', 'config', 'crc32', 'optimizer', 'optimizer_step'];

/**
 * Serialises a model (and optionally its optimiser state, which must fit it:
 * checkOptimizerState) to safetensors bytes. `metadata` holds caller entries:
 * strings only (the format's rule), under any key but the reserved ones
 * (format, version, config, crc32, optimizer, optimizer_step). Throws
 * PcError('config') for other metadata, so no file is written that
 * decodeCheckpoint would refuse.
 */
export function encodeCheckpoint<T extends FloatArray>(
  model: Model<T>,
  options: { optimizer?: OptimizerState<T>; metadata?: Record<string, string> } = {},
): Uint8Array {
  checkObject(options, 'encodeCheckpoint: options', 'an object { optimizer?, metadata? } or left out');
  checkMetadata(options.metadata);
  if (options.optimizer !== undefined) checkOptimizerState(model, options.optimizer, 'encodeCheckpoint');
  // Types say FloatArray, but JavaScript callers (and casts) can pass a GPU model: its arrays would encode as NaN.
  const host = (a: unknown) => a instanceof Float32Array || a instanceof Float64Array;
  check(
    model.layers.every((l) => host(l.weights.data) && host(l.bias.data) && (!l.feedback || host(l.feedback.data))) &&
      (options.optimizer?.slots.every(([m, v]) => host(m) && host(v)) ?? true),
    'config',
    () =>
      'encodeCheckpoint: the model (or optimiser state) lives in device memory (a GPU backend): copy it to the host first with hostCopy(backend, model, opt).',
  );
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

/**
 * Parses and fully validates checkpoint bytes; `name` (a path) appears in
 * every error. The header is checked against the safetensors schema, the
 * config and optimiser metadata by the library's own validators; the file
 * must hold exactly the tensors the config names, with their exact shapes,
 * tiling the data section, all finite. `file` is the file's bytes, as a
 * Uint8Array (a Node Buffer is one) or an ArrayBuffer (fetch's arrayBuffer()).
 * Throws PcError('data') only.
 */
export function decodeCheckpoint(file: Uint8Array | ArrayBuffer, name: string): Checkpoint {
  const bad = (what: string): PcError => new PcError('data', `${name}: ${what}`);
  const bytes = fileBytes(file, name, 'decodeCheckpoint');
  const headerLength = headerLengthOf(bytes, bad);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    throw bad('the header is not valid UTF-8. The file is corrupt or not a safetensors checkpoint.');
  }
  const header = parseHeader(parseStrictJson(text, 'the header', bad), bad);
  const meta = header.metadata;
  if (meta.format !== CHECKPOINT_FORMAT)
    throw bad(
      `this safetensors file is not a ${CHECKPOINT_FORMAT} checkpoint (metadata format is ${meta.format === undefined ? 'undefined' : quoted(meta.format)}).`,
    );
  if (meta.version !== CHECKPOINT_VERSION)
    throw bad(`checkpoint version ${quoted(String(meta.version))} is not supported (this library reads version ${CHECKPOINT_VERSION}).`);
  if (meta.crc32 !== undefined && !/^[0-9a-f]{8}$/.test(meta.crc32))
    throw bad(`the metadata field crc32 is ${quoted(meta.crc32)}; expected 8 lowercase hex digits. ${FORGED}`);
  const storedConfig = jsonObjectField(meta, 'config', bad);
  const config = validated('model config', () => validateConfig(storedConfig as unknown as PcnConfig), bad);
  const optimizer = optimizerOf(meta, config, bad);
  const data = bytes.subarray(8 + headerLength);
  checkTensors(header.tensors, config, optimizer?.config, data.length, bad);
  if (meta.crc32 !== undefined && crc32(data).toString(16).padStart(8, '0') !== meta.crc32) {
    throw bad('the tensor data does not match its CRC-32: the file is corrupt. Restore it from a good copy.');
  }
  const tensors = new Map<string, Float32Array>();
  for (const { name: key, begin, end } of header.tensors) {
    const view = new DataView(data.buffer, data.byteOffset + begin, end - begin);
    const t = new Float32Array((end - begin) / 4);
    for (let i = 0; i < t.length; i++) {
      t[i] = view.getFloat32(i * 4, true);
      if (!Number.isFinite(t[i]))
        throw bad(
          `tensor ${key} holds ${t[i]} at index ${i}; a trained model has finite weights. The run that wrote it diverged; retrain with a smaller learning rate.`,
        );
    }
    tensors.set(key, t);
  }
  return { config, tensors, metadata: { ...meta }, optimizer };
}

/**
 * Checks the first 8 bytes of a checkpoint file of `fileSize` bytes: throws
 * the PcError('data') decodeCheckpoint would for a header over the 100 MB
 * limit or past the end, so a file reader can refuse before reading on.
 */
export function checkCheckpointStart(head: Uint8Array, fileSize: number, name: string): void {
  headerLengthOf(head, (what) => new PcError('data', `${name}: ${what}`), fileSize);
}

/** Caller metadata: an object of strings under keys the checkpoint does not reserve. */
function checkMetadata(metadata: unknown): void {
  if (metadata === undefined) return;
  check(
    typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata),
    'config',
    () => `encodeCheckpoint: options.metadata must be an object of strings (key → value), got ${shown(metadata)}.`,
  );
  for (const [key, value] of Object.entries(metadata)) {
    check(
      !RESERVED.includes(key),
      'config',
      () => `encodeCheckpoint: options.metadata.${key} is reserved for the checkpoint's own fields (${RESERVED.join(', ')}); store it under another key.`,
    );
    check(
      typeof value === 'string',
      'config',
      () =>
        `encodeCheckpoint: options.metadata.${key} must be a string (safetensors metadata holds strings only), got ${shown(value)}. Store String(value) or JSON.stringify(value).`,
    );
  }
}

/** Metadata field `key` parsed as JSON; refuses anything but an object. */
function jsonObjectField(meta: Readonly<Record<string, string>>, key: string, bad: Bad): Record<string, unknown> {
  const text = meta[key];
  if (text === undefined) throw bad(`the metadata has no ${key} field; every ${CHECKPOINT_FORMAT} checkpoint stores one. ${FORGED}`);
  const value = parseStrictJson(text, `the metadata field ${key}`, bad);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad(`the metadata field ${key} must be a JSON object, got ${oneLine(text, 40)}. ${FORGED}`);
  return value as Record<string, unknown>;
}

/** Runs a library validator on stored settings; its error (any error: the input is hostile) becomes a data error naming the file. */
function validated<T>(what: string, validate: () => T, bad: Bad): T {
  try {
    return validate();
  } catch (e) {
    throw bad(`the stored ${what} is invalid: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  }
}

function optimizerOf(meta: Readonly<Record<string, string>>, config: PcnConfig, bad: Bad): Checkpoint['optimizer'] {
  const stepText = meta.optimizer_step;
  if (meta.optimizer === undefined) {
    if (stepText !== undefined) throw bad(`the metadata field optimizer_step is set but the checkpoint holds no optimizer config. ${FORGED}`);
    return undefined;
  }
  const stored = jsonObjectField(meta, 'optimizer', bad);
  const layers = config.sizes.length - 1;
  const optimizerConfig = validated('optimizer config', () => validateOptimizerConfig(stored as Partial<OptimizerConfig>, layers), bad);
  const step = stepText === undefined ? 0 : Number(stepText);
  if (stepText !== undefined && !(/^\d+$/.test(stepText) && Number.isSafeInteger(step)))
    throw bad(
      `the metadata field optimizer_step is ${quoted(stepText)}; expected a non-negative integer (decimal digits, at most ${Number.MAX_SAFE_INTEGER}).`,
    );
  return { config: optimizerConfig, step };
}

/** Optimiser moments per parameter, as initOptimizer allocates them: sgd none, momentum m, Adam(W) m and v. */
function momentNames(name: OptimizerConfig['name']): string[] {
  return ['m', 'v'].slice(0, MOMENTS[name]);
}

/** The tensors a checkpoint of `config` (with `optimizer` state, if any) holds, by name, with their shapes, in the writer's order. */
function expectedTensors(config: PcnConfig, optimizer: OptimizerConfig | undefined): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const params: number[] = [];
  for (let l = 1; l < config.sizes.length; l++) {
    const shapes = parameterShapesOf(config, l);
    const weights = shapes.weights[0] * shapes.weights[1];
    out.set(`layers.${l}.weights`, [...shapes.weights]);
    out.set(`layers.${l}.bias`, [shapes.bias]);
    if (config.feedback !== 'symmetric') out.set(`layers.${l}.feedback`, [...shapes.feedback]);
    params.push(weights, shapes.bias);
    if (config.feedback === 'learned') params.push(weights); // parameters(): W, b, B per layer
  }
  const moments = optimizer ? momentNames(optimizer.name) : [];
  for (const [i, n] of params.entries()) for (const slot of moments) out.set(`optimizer.${i}.${slot}`, [n]);
  return out;
}

/** Exactly the expected tensors, each of its exact shape, tiling [0, dataLength) in order with no gap or overlap. */
function checkTensors(tensors: readonly HeaderTensor[], config: PcnConfig, optimizer: OptimizerConfig | undefined, dataLength: number, bad: Bad): void {
  const expected = expectedTensors(config, optimizer);
  const model = config.sizes.join('-');
  const shape = (s: readonly number[]) => `[${s.join(', ')}]`;
  for (const t of tensors) {
    const want = expected.get(t.name);
    if (!want) throw bad(`tensor ${quoted(t.name)} is not part of a ${model} model or its optimizer state. ${FORGED}`);
    if (t.shape.length !== want.length || t.shape.some((n, i) => n !== want[i]))
      throw bad(`tensor ${t.name} has shape ${shape(t.shape)} but the stored config (sizes ${model}) needs ${shape(want)}. ${FORGED}`);
  }
  const present = new Set(tensors.map((t) => t.name));
  for (const key of expected.keys()) {
    if (present.has(key)) continue;
    const group = [...expected.keys()].filter((k) => k.startsWith(key.startsWith('optimizer.') ? 'optimizer.' : 'layers.'));
    const list = group.length > 8 ? `${group.slice(0, 8).join(', ')}, …` : group.join(', ');
    throw bad(`tensor ${key} is missing (${key.startsWith('optimizer.') ? `${optimizer?.name} state for ` : ''}a ${model} model needs ${list}).`);
  }
  const range = (t: HeaderTensor) => `${t.name} [${t.begin}, ${t.end})`;
  const tile = 'tensors must tile the data section in order with no gaps.';
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin); // stable: ties keep file order
  let previous: HeaderTensor | undefined;
  for (const t of sorted) {
    const at = previous?.end ?? 0;
    if (t.begin > at) throw bad(`the data section has ${t.begin - at} unused bytes before ${range(t)}; ${tile} ${FORGED}`);
    if (previous && t.begin < at) throw bad(`tensors ${range(previous)} and ${range(t)} overlap; ${tile} ${FORGED}`);
    if (t.end < t.begin) throw bad(`tensor ${t.name} has data_offsets [${t.begin}, ${t.end}], which end before they begin. ${FORGED}`);
    // Shapes match the validated config here, so the product is a safe integer.
    const need = 4 * t.shape.reduce((a, b) => a * b, 1);
    if (t.end - t.begin !== need) throw bad(`tensor ${range(t)} holds ${t.end - t.begin} bytes but its shape ${shape(t.shape)} needs ${need}. ${FORGED}`);
    if (t.end > dataLength) throw bad(`tensor ${range(t)} ends past the ${dataLength}-byte data section. The file is truncated; restore it from a good copy.`);
    previous = t;
  }
  const end = previous?.end ?? 0;
  if (end !== dataLength)
    throw bad(`the data section has ${dataLength - end} bytes after the last tensor (${previous?.name} ends at ${end} of ${dataLength}); ${tile} ${FORGED}`);
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
