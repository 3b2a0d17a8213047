import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createConfig, initModel } from '../../src/core/index.ts';
import { createReferenceBackend } from '../../src/kernels/index.ts';
import { createRng } from '../../src/random.ts';
import { crc32, decodeCheckpoint, encodeCheckpoint, initOptimizer, modelFromCheckpoint, restoreOptimizer } from '../../src/train/index.ts';
import { catchPcError } from '../helpers/errors.ts';

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
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
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
    expect(dataError(bytes.subarray(0, bytes.length - 4))).toMatch(/has data offsets .* outside the \d+-byte data section .* truncated or corrupt/);
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
    const n = Number(new DataView(wrong.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(wrong.subarray(8, 8 + n)));
    header.__metadata__.config = JSON.stringify(model.config); // claims 5-3-2, holds 5-4-2
    const text = new TextEncoder().encode(JSON.stringify(header));
    const forged = new Uint8Array(8 + text.length + (wrong.length - 8 - n));
    new DataView(forged.buffer).setBigUint64(0, BigInt(text.length), true);
    forged.set(text, 8);
    forged.set(wrong.subarray(8 + n), 8 + text.length);
    expect(dataError(forged)).toBe('model.safetensors: tensor layers.1.weights has 20 values but the stored config (sizes 5-3-2) needs [3, 5].');
  });

  it('refuse a safetensors file that is not ours', () => {
    const text = new TextEncoder().encode(JSON.stringify({ __metadata__: { format: 'pt' } }));
    const foreign = new Uint8Array(8 + text.length);
    new DataView(foreign.buffer).setBigUint64(0, BigInt(text.length), true);
    foreign.set(text, 8);
    expect(dataError(foreign)).toBe('model.safetensors: this safetensors file is not a predictive-coding checkpoint (metadata format is "pt").');
  });

  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});
