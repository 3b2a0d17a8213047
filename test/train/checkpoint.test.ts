import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../packages/predictive-coding/src/core/index.ts';
import { createReferenceBackend } from '../../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../../packages/predictive-coding/src/random.ts';
import {
  checkCheckpointStart,
  crc32,
  decodeCheckpoint,
  encodeCheckpoint,
  initOptimizer,
  modelFromCheckpoint,
  restoreOptimizer,
} from '../../packages/predictive-coding/src/train/index.ts';
import { catchPcError } from '../helpers/errors.ts';
import { forge, headerLength, split } from './safetensors-files.ts';

const js = createReferenceBackend('float32');
const model = initModel(createConfig({ sizes: [5, 3, 2], activation: 'relu', outputEnergy: 'ce' }), js, createRng(2));
const opt = initOptimizer(model, { name: 'adamw', lr: 0.01 }, js);
opt.step = 17;
opt.slots[0][0].fill(0.25);
const bytes = encodeCheckpoint(model, { optimizer: opt, metadata: { note: 'test' } });

const dataError = (b: Uint8Array): string => catchPcError(() => decodeCheckpoint(b, 'model.safetensors'), 'data').message;

describe('checkpoints (safetensors)', () => {
  it('round-trip the config, every weight and the optimiser state exactly', () => {
    const ckpt = decodeCheckpoint(bytes, 'x');
    expect(ckpt.config).toEqual(model.config);
    expect(ckpt.metadata.note).toBe('test');
    const back = modelFromCheckpoint(ckpt, js);
    expect(back.layers).toHaveLength(2); // or the comparisons below could run zero times
    back.layers.forEach((layer, i) => {
      expect(Array.from(layer.weights.data)).toEqual(Array.from(model.layers[i].weights.data));
      expect(Array.from(layer.bias.data)).toEqual(Array.from(model.layers[i].bias.data));
    });
    const opt2 = initOptimizer(back, ckpt.optimizer!.config, js);
    restoreOptimizer(ckpt, back, opt2);
    expect(opt2.step).toBe(17);
    expect(opt2.config.lr).toBe(0.01);
    expect(Array.from(opt2.slots[0][0])).toEqual(Array.from(opt.slots[0][0]));
  });

  it('lay out the file as safetensors: u64 header length, JSON header, data aligned to 8 bytes', () => {
    const n = headerLength(bytes);
    const header = split(bytes).header as Json;
    expect((8 + n) % 8).toBe(0);
    expect(header['layers.1.weights']).toEqual({ dtype: 'F32', shape: [3, 5], data_offsets: [0, 60] });
    expect(header.__metadata__.format).toBe('predictive-coding');
  });

  it('can be read by Python with the standard library alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pc-ckpt-'));
    const file = join(dir, 'm.safetensors');
    writeFileSync(file, bytes);
    const script = [
      'import json, struct, sys',
      'b = open(sys.argv[1], "rb").read()',
      '(n,) = struct.unpack("<Q", b[:8])',
      'h = json.loads(b[8:8 + n])',
      'e = h["layers.1.weights"]',
      's, t = e["data_offsets"]',
      'w = struct.unpack("<%df" % ((t - s) // 4), b[8 + n + s:8 + n + t])',
      'print(json.dumps({"shape": e["shape"], "first": w[0], "sum": sum(w)}))',
    ].join('\n');
    const out = JSON.parse(execFileSync('python3', ['-c', script, file], { encoding: 'utf8' }));
    const w = model.layers[0].weights.data;
    expect(out.shape).toEqual([3, 5]);
    expect(out.first).toBe(w[0]);
    expect(out.sum).toBeCloseTo(
      w.reduce((a, v) => a + v, 0),
      6,
    );
  });

  it('refuse a truncated file, naming it and saying what is missing', () => {
    expect(dataError(bytes.subarray(0, 5))).toBe(
      'model.safetensors: 5 bytes is too short for a safetensors file (8-byte header length first). The file is truncated or empty.',
    );
    expect(dataError(bytes.subarray(0, 40))).toMatch(/^model\.safetensors: the header claims \d+ bytes but only 32 follow\. The file is truncated/);
    expect(dataError(bytes.subarray(0, bytes.length - 4))).toMatch(
      /^model\.safetensors: tensor optimizer\.3\.v \[\d+, \d+\) ends past the \d+-byte data section\. The file is truncated; restore it from a good copy\.$/,
    );
  });

  it('refuse corrupted data (CRC-32) and a corrupted header', () => {
    const flipped = bytes.slice();
    flipped[flipped.length - 3] ^= 0x40;
    expect(dataError(flipped)).toBe('model.safetensors: the tensor data does not match its CRC-32: the file is corrupt. Restore it from a good copy.');
    const badJson = bytes.slice();
    badJson[9] = 0x7b;
    badJson[10] = 0x7b;
    expect(dataError(badJson)).toContain('the header is not valid JSON');
  });

  it('refuse a checkpoint whose tensors do not match its config', () => {
    const other = initModel(createConfig({ sizes: [5, 4, 2] }), js, createRng(2));
    const wrong = encodeCheckpoint(other);
    const { header, data } = split(wrong);
    (header as Json).__metadata__.config = JSON.stringify(model.config); // claims 5-3-2, holds 5-4-2
    expect(dataError(forge(header, data, true))).toBe(
      'model.safetensors: tensor layers.1.weights has shape [4, 5] but the stored config (sizes 5-3-2) needs [3, 5]. The file is corrupt or forged.',
    );
  });

  it('refuse a safetensors file that is not ours', () => {
    const foreign = forge({ __metadata__: { format: 'pt' } }, new Uint8Array(0), true);
    expect(dataError(foreign)).toBe('model.safetensors: this safetensors file is not a predictive-coding checkpoint (metadata format is "pt").');
  });

  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

// ---- Hostile checkpoints (issue 10): the header is parsed against the format, never cast. ----

// biome-ignore lint/suspicious/noExplicitAny: a forged header is arbitrary JSON
type Json = any;
/** The good checkpoint with its header edited by `edit` (data unchanged). */
function edited(edit: (h: Record<string, Json>) => void, data?: Uint8Array): Uint8Array {
  const { header, data: d } = split(bytes);
  edit(header);
  return forge(header, data ?? d);
}
const plain = encodeCheckpoint(model); // no optimiser
const entryOf = (h: Record<string, unknown>, k: string) => h[k] as { shape: number[]; data_offsets: [number, number] };

describe('checkpoints refuse every malformed header with a data error naming the file', () => {
  it('a header that is not a JSON object: null, an array, a number', () => {
    const { data } = split(bytes);
    for (const text of ['null', '[]', '3', '"x"']) {
      expect(dataError(forge(text, data))).toMatch(/^model\.safetensors: the header must be a JSON object of tensors and __metadata__, got /);
    }
  });

  it('tensor entries whose fields have the wrong type, sign or arity', () => {
    const cases: [(h: Record<string, Json>) => void, RegExp][] = [
      [(h) => (h['layers.1.bias'] = null), /header\["layers\.1\.bias"\]: expected Object but received null/],
      [(h) => (h['layers.1.bias'].data_offsets = 60), /header\["layers\.1\.bias"\]\.data_offsets: expected Array but received 60/],
      [(h) => (h['layers.1.bias'].shape = '3'), /header\["layers\.1\.bias"\]\.shape: expected Array but received "3"/],
      [(h) => (h['layers.1.bias'].shape = [-3]), /\.shape\[0\]: expected >=0 but received -3/],
      [(h) => (h['layers.1.bias'].shape = [1.5]), /\.shape\[0\]: .*received 1\.5/],
      [(h) => (h['layers.1.bias'].data_offsets = [60, 72, 80]), /\.data_offsets\[2\]: expected never but received 80/],
      [(h) => (h['layers.1.bias'].dtype = 'F16'), /\.dtype: expected "F32" but received "F16"/],
      [(h) => (h['layers.1.bias'].extra = 1), /header\["layers\.1\.bias"\]\.extra: expected never/],
      [(h) => (h.__metadata__.note = 5), /header\["__metadata__"\]\["note"\]: expected string but received 5/],
      [(h) => (h.__metadata__ = [1]), /header\["__metadata__"\]: expected Object but received /],
    ];
    for (const [edit, pattern] of cases) {
      const message = dataError(edited(edit));
      expect(message).toMatch(/^model\.safetensors: /);
      expect(message).toMatch(pattern);
      expect(message).not.toContain('\n');
    }
  });

  it('negative shapes with reversed offsets', () => {
    const message = dataError(
      edited((h) => {
        h['layers.1.bias'] = { dtype: 'F32', shape: [-3], data_offsets: [72, 60] };
      }),
    );
    expect(message).toMatch(/^model\.safetensors: header\["layers\.1\.bias"\]\.shape\[0\]: expected >=0 but received -3/);
  });

  it('a header longer than 100,000,000 bytes, before reading or decoding it', () => {
    for (const claimed of [100_000_001n, 120_000_000n, 2n ** 63n, 2n ** 64n - 1n]) {
      const b = new Uint8Array(64);
      new DataView(b.buffer).setBigUint64(0, claimed, true);
      expect(dataError(b)).toBe(
        `model.safetensors: the header claims ${claimed} bytes; safetensors headers are at most 100000000 bytes (the reference reader's limit). The file is corrupt or not a safetensors checkpoint.`,
      );
    }
  });

  it('a file that shrank between its size and its first bytes being read', () => {
    expect(catchPcError(() => checkCheckpointStart(new Uint8Array(3), 5000, 'model.safetensors'), 'data').message).toBe(
      'model.safetensors: 3 bytes is too short for a safetensors file (8-byte header length first). The file is truncated or empty.',
    );
  });

  it('duplicate keys, at the top level and inside the metadata', () => {
    const n = headerLength(plain);
    const text = new TextDecoder().decode(plain.subarray(8, 8 + n)).trimEnd();
    const data = plain.slice(8 + n);
    const bias = `"layers.1.bias":${JSON.stringify(split(plain).header['layers.1.bias'])}`;
    expect(dataError(forge(`${text.slice(0, -1)},${bias}}`, data, true))).toBe(
      'model.safetensors: the header names "layers.1.bias" twice; JSON readers disagree on which one wins. The file is corrupt or forged.',
    );
    const twice = text.replace('"format":', '"config":"{}","format":');
    expect(dataError(forge(twice, data, true))).toContain('the header names "config" twice');
  });

  it('nesting deeper than 64 levels, without overflowing the stack', () => {
    const { data } = split(plain);
    const deep = `{"__metadata__":${'['.repeat(200_000)}${']'.repeat(200_000)}}`;
    expect(dataError(forge(deep, data))).toBe('model.safetensors: the header nests deeper than 64 levels. The file is corrupt or forged.');
    const deepConfig = edited((h) => {
      h.__metadata__.config = `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`;
    });
    expect(dataError(deepConfig)).toBe('model.safetensors: the metadata field config nests deeper than 64 levels. The file is corrupt or forged.');
  });

  it('a config or optimizer field that is not JSON, not an object, or fails the library validators', () => {
    expect(dataError(edited((h) => (h.__metadata__.config = '{')))).toMatch(/^model\.safetensors: the metadata field config is not valid JSON/);
    expect(dataError(edited((h) => (h.__metadata__.config = 'null')))).toMatch(/the metadata field config must be a JSON object, got null/);
    expect(dataError(edited((h) => (h.__metadata__.config = '{"sizes":[5,-3,2]}')))).toMatch(
      /^model\.safetensors: the stored model config is invalid: model config: sizes\[1\] must be an integer/,
    );
    const generativeCe = JSON.stringify({ ...model.config, orientation: 'generative' }); // the model's output energy is ce
    expect(dataError(edited((h) => (h.__metadata__.config = generativeCe)))).toMatch(
      /^model\.safetensors: the stored model config is invalid: model config: a 'ce' output energy is a softmax over the label layer, but a generative model/,
    );
    expect(dataError(edited((h) => (h.__metadata__.optimizer = 'adamw')))).toMatch(/the metadata field optimizer is not valid JSON/);
    expect(dataError(edited((h) => (h.__metadata__.optimizer = '[1]')))).toMatch(/the metadata field optimizer must be a JSON object, got \[1\]/);
    expect(dataError(edited((h) => (h.__metadata__.optimizer = '{"name":"adamw","lr":-1}')))).toMatch(
      /^model\.safetensors: the stored optimizer config is invalid: optimizer: lr must be a finite number ≥ 0, got -1/,
    );
    expect(dataError(edited((h) => (h.__metadata__.optimizer = '{"name":"momentum","momentum":1}')))).toContain('momentum must be < 1');
  });

  it('an optimizer_step that is not a non-negative integer, or one without an optimizer', () => {
    for (const step of ['-1', '1.5', 'abc', '', '1e3', '9007199254740993']) {
      expect(dataError(edited((h) => (h.__metadata__.optimizer_step = step)))).toBe(
        `model.safetensors: the metadata field optimizer_step is ${JSON.stringify(step)}; expected a non-negative integer (decimal digits, at most 9007199254740991).`,
      );
    }
    const { header, data } = split(plain);
    (header.__metadata__ as Record<string, string>).optimizer_step = '3';
    expect(dataError(forge(header, data))).toContain('optimizer_step is set but the checkpoint holds no optimizer');
  });
});

describe('checkpoints hold exactly the tensors their config names, tiling the data section', () => {
  it('a transposed weight of the right element count', () => {
    expect(dataError(edited((h) => entryOf(h, 'layers.1.weights').shape.reverse()))).toBe(
      'model.safetensors: tensor layers.1.weights has shape [5, 3] but the stored config (sizes 5-3-2) needs [3, 5]. The file is corrupt or forged.',
    );
  });

  it('unknown or extra tensors, and missing ones', () => {
    const { header, data } = split(plain);
    const extended = new Uint8Array(data.length + 8);
    extended.set(data);
    header.extra = { dtype: 'F32', shape: [2], data_offsets: [data.length, data.length + 8] };
    expect(dataError(forge(header, extended))).toBe(
      'model.safetensors: tensor "extra" is not part of a 5-3-2 model or its optimizer state. The file is corrupt or forged.',
    );
    const proto = `{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[${data.length},${data.length + 8}]},${JSON.stringify(header)
      .slice(1)
      .replace(/,"extra":\{[^}]*\}/, '')}`;
    expect(dataError(forge(proto, extended))).toContain('tensor "__proto__" is not part of a 5-3-2 model');
    const missing = split(plain);
    delete missing.header['layers.2.bias'];
    expect(dataError(forge(missing.header, missing.data.subarray(0, missing.data.length - 8)))).toBe(
      'model.safetensors: tensor layers.2.bias is missing (a 5-3-2 model needs layers.1.weights, layers.1.bias, layers.2.weights, layers.2.bias).',
    );
    const noMoments = split(bytes);
    for (const k of Object.keys(noMoments.header)) if (k.startsWith('optimizer.')) delete noMoments.header[k];
    const firstMoment = (entryOf(split(bytes).header, 'optimizer.0.m').data_offsets as number[])[0];
    expect(dataError(forge(noMoments.header, noMoments.data.subarray(0, firstMoment)))).toMatch(
      /^model\.safetensors: tensor optimizer\.0\.m is missing \(adamw state for a 5-3-2 model needs optimizer\.0\.m, optimizer\.0\.v, /,
    );
  });

  it('overlapping tensors, holes, a section that does not start at 0 or leaves bytes over', () => {
    const overlap = edited((h) => {
      entryOf(h, 'layers.1.bias').data_offsets = [0, 12];
    });
    expect(dataError(overlap)).toBe(
      'model.safetensors: tensors layers.1.weights [0, 60) and layers.1.bias [0, 12) overlap; tensors must tile the data section in order with no gaps. The file is corrupt or forged.',
    );
    const { header, data } = split(plain);
    const shifted = new Uint8Array(data.length + 4);
    shifted.set(data, 4);
    for (const k of Object.keys(header)) {
      if (k === '__metadata__') continue;
      const e = entryOf(header, k);
      e.data_offsets = [e.data_offsets[0] + 4, e.data_offsets[1] + 4];
    }
    expect(dataError(forge(header, shifted))).toBe(
      'model.safetensors: the data section has 4 unused bytes before layers.1.weights [4, 64); tensors must tile the data section in order with no gaps. The file is corrupt or forged.',
    );
    const hole = edited(
      (h) => {
        const e = entryOf(h, 'layers.2.weights');
        e.data_offsets = [e.data_offsets[0] + 4, e.data_offsets[1] + 4];
        const b = entryOf(h, 'layers.2.bias');
        b.data_offsets = [b.data_offsets[0] + 4, b.data_offsets[1] + 4];
      },
      new Uint8Array(split(plain).data.length + 4),
    );
    expect(dataError(hole)).toMatch(/the data section has 4 unused bytes before layers\.2\.weights/);
    const over = split(plain);
    const longer = new Uint8Array(over.data.length + 8);
    longer.set(over.data);
    expect(dataError(forge(over.header, longer))).toBe(
      `model.safetensors: the data section has 8 bytes after the last tensor (layers.2.bias ends at ${over.data.length} of ${longer.length}); tensors must tile the data section in order with no gaps. The file is corrupt or forged.`,
    );
  });

  it('a tensor whose byte range does not match its shape, or runs past the data', () => {
    expect(dataError(plain.subarray(0, plain.length - 4))).toMatch(
      /^model\.safetensors: tensor layers\.2\.bias \[\d+, \d+\) ends past the \d+-byte data section\. The file is truncated; restore it from a good copy\.$/,
    );
    expect(
      dataError(
        edited((h) => {
          entryOf(h, 'layers.1.bias').data_offsets[1] -= 4;
        }),
      ),
    ).toBe('model.safetensors: tensor layers.1.bias [60, 68) holds 8 bytes but its shape [3] needs 12. The file is corrupt or forged.');
  });

  it('NaN or infinite values, naming the tensor and the index', () => {
    for (const [value, word] of [
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
    ] as const) {
      const { header, data } = split(plain);
      const offset = entryOf(header, 'layers.2.weights').data_offsets[0];
      new DataView(data.buffer).setFloat32(offset + 4 * 5, value, true);
      expect(dataError(forge(header, data))).toBe(
        `model.safetensors: tensor layers.2.weights holds ${word} at index 5; a trained model has finite weights. The run that wrote it diverged; retrain with a smaller learning rate.`,
      );
    }
  });

  it('a malformed crc32 field', () => {
    const { header, data } = split(plain);
    (header.__metadata__ as Record<string, string>).crc32 = 'zz';
    expect(dataError(forge(header, data, true))).toBe(
      'model.safetensors: the metadata field crc32 is "zz"; expected 8 lowercase hex digits. The file is corrupt or forged.',
    );
  });
});
