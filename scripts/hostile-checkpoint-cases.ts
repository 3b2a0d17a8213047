/**
 * The checkpoint kinds of scripts/hostile-cases.ts: headers whose parsed
 * JSON is cast rather than checked, files that meet the necessary
 * conditions but break the rule, and loaded values never checked. Each is a
 * forgery of the good classifier, read by pcn info and by pcn eval.
 */

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encodeIdx } from '../packages/predictive-coding/src/data/index.ts';
import { crc32 } from '../packages/predictive-coding/src/train/index.ts';
import { concat } from '../test/cli/png-fixtures.ts';
import { forge } from '../test/train/safetensors-files.ts';
import type { CaseContext } from './hostile-context.ts';
import { asArray, configOf, entryOf, type Json, type JsonObject, metadataOf, offsetsOf, splitCheckpoint } from './hostile-json.ts';

/** Forgeries of the good classifier `base`; the CRC is recomputed unless a case says otherwise. */
interface Forgeries {
  /** The good data section. */
  readonly goodSection: Uint8Array;
  /** `base` with its header edited in place by `edit`, which may return a new data section. */
  edited(edit: (h: JsonObject, d: Uint8Array) => Uint8Array | undefined): Uint8Array;
  /** `base` with metadata entry `key` set to `value`. */
  withMeta(key: string, value: Json): Uint8Array;
  /** `base` with `field` of tensor `tensor`'s header entry set to `value`. */
  withEntry(tensor: string, field: string, value: Json): Uint8Array;
}

function initForgeries(base: Uint8Array): Forgeries {
  const edited = (edit: (h: JsonObject, d: Uint8Array) => Uint8Array | undefined) => {
    const { header, data } = splitCheckpoint(base);
    return forge(header, edit(header, data) ?? data);
  };
  return {
    goodSection: splitCheckpoint(base).data,
    edited,
    withMeta: (key, value) =>
      edited((h) => {
        metadataOf(h)[key] = value;
      }),
    withEntry: (tensor, field, value) =>
      edited((h) => {
        entryOf(h, tensor)[field] = value;
      }),
  };
}

/** Writes the three checkpoint kinds' files and pushes their cases onto `ctx.cases`. */
export function writeCheckpointCases(ctx: CaseContext): void {
  const forgeries = initForgeries(ctx.classifierBytes);
  writeJsonCastCases(ctx, forgeries);
  writeRuleCases(ctx, forgeries);
  writeValueCases(ctx, forgeries);
}

/** Parsed JSON is cast, not checked. */
function writeJsonCastCases({ ckpt }: CaseContext, { goodSection, edited, withMeta, withEntry }: Forgeries): void {
  const kind = 'checkpoint: JSON cast';
  for (const text of ['null', '[]', '42', '"header"', 'true', '{', '{"a":1,}', '']) ckpt(kind, `header ${JSON.stringify(text)}`, forge(text, goodSection));
  ckpt(kind, 'data_offsets a number', withEntry('layers.1.bias', 'data_offsets', 7));
  ckpt(kind, 'data_offsets null', withEntry('layers.1.bias', 'data_offsets', null));
  ckpt(kind, 'shape not an array', withEntry('layers.1.weights', 'shape', '16x784'));
  ckpt(kind, 'shape of strings', withEntry('layers.1.weights', 'shape', ['16', '784']));
  ckpt(
    kind,
    'negative shape, reversed offsets',
    edited((h) => {
      h['layers.1.bias'] = { dtype: 'F32', shape: [-16], data_offsets: [50240, 50176] };
    }),
  );
  ckpt(
    kind,
    'entry null',
    edited((h) => {
      h['layers.2.bias'] = null;
    }),
  );
  ckpt(kind, 'dtype F16', withEntry('layers.1.bias', 'dtype', 'F16'));
  ckpt(
    kind,
    'dtype missing',
    edited((h) => void delete entryOf(h, 'layers.1.bias').dtype),
  );
  ckpt(
    kind,
    'fractional offset',
    edited((h) => {
      offsetsOf(h, 'layers.1.bias')[0] += 0.5;
    }),
  );
  ckpt(
    kind,
    'offset 2^60',
    edited((h) => {
      offsetsOf(h, 'layers.2.bias')[1] = 2 ** 60;
    }),
  );
  ckpt(
    kind,
    'metadata a string',
    edited((h) => {
      h.__metadata__ = 'meta';
    }),
  );
  ckpt(kind, 'metadata value a number', withMeta('epochs', 3));
  ckpt(kind, 'optimizer not JSON', withMeta('optimizer', 'adamw, lr 1e-3'));
  ckpt(kind, 'optimizer JSON null', withMeta('optimizer', 'null'));
  ckpt(kind, 'optimizer lr a string', withMeta('optimizer', '{"name":"adamw","lr":"fast"}'));
  ckpt(kind, 'optimizer unknown name', withMeta('optimizer', '{"name":"lion"}'));
  ckpt(kind, 'config not JSON', withMeta('config', '{sizes: [784, 10]}'));
  ckpt(kind, 'config JSON array', withMeta('config', '[784,16,10]'));
  ckpt(kind, 'config sizes a string', withMeta('config', '{"sizes":"784,16,10"}'));
  ckpt(
    kind,
    'config missing',
    edited((h) => void delete metadataOf(h).config),
  );
  ckpt(kind, 'config nested 100000 deep', withMeta('config', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`));
  ckpt(kind, 'header nested 1000000 deep', forge(`{"__metadata__":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, goodSection));
  ckpt(
    kind,
    'header not UTF-8',
    forge('{"\xff":1}', goodSection).map((b, i, a) => (i === 10 && a[i] === 0xc3 ? 0xff : b)),
  );
}

/** Necessary conditions instead of the rule. */
function writeRuleCases({ ckpt, classifierBytes }: CaseContext, { goodSection, edited, withMeta, withEntry }: Forgeries): void {
  const kind = 'checkpoint: rule not condition';
  ckpt(
    kind,
    'transposed weight [784, 16]',
    edited((h) => void asArray(entryOf(h, 'layers.1.weights').shape).reverse()),
  );
  ckpt(kind, 'weight reshaped [32, 392]', withEntry('layers.1.weights', 'shape', [32, 392]));
  ckpt(kind, 'overlapping tensors', withEntry('layers.1.bias', 'data_offsets', [0, 64]));
  ckpt(
    kind,
    'hole between tensors',
    edited((h) => {
      for (const k of Object.keys(h)) if (k !== '__metadata__' && k !== 'layers.1.weights') entryOf(h, k).data_offsets = offsetsOf(h, k).map((o) => o + 4);
      return concat(goodSection, new Uint8Array(4));
    }),
  );
  ckpt(
    kind,
    'data not starting at 0',
    edited((h) => {
      for (const k of Object.keys(h)) if (k !== '__metadata__') entryOf(h, k).data_offsets = offsetsOf(h, k).map((o) => o + 8);
      return concat(new Uint8Array(8), goodSection);
    }),
  );
  ckpt(
    kind,
    'bytes after the last tensor',
    edited(() => concat(goodSection, new Uint8Array(16))),
  );
  ckpt(
    kind,
    'unknown extra tensor',
    edited((h, d) => {
      h.extra = { dtype: 'F32', shape: [2], data_offsets: [d.length, d.length + 8] };
      return concat(d, new Uint8Array(8));
    }),
  );
  ckpt(
    kind,
    'tensor named __proto__',
    (() => {
      const { header, data } = splitCheckpoint(classifierBytes);
      const longer = concat(data, new Uint8Array(8));
      metadataOf(header).crc32 = crc32(longer).toString(16).padStart(8, '0');
      return forge(`{"__proto__":{"dtype":"F32","shape":[2],"data_offsets":[${data.length},${data.length + 8}]},${JSON.stringify(header).slice(1)}`, longer);
    })(),
  );
  ckpt(
    kind,
    'missing bias',
    edited((h) => void delete h['layers.2.bias']),
  );
  ckpt(
    kind,
    'missing optimizer moment',
    edited((h) => void delete h['optimizer.3.v']),
  );
  ckpt(kind, 'optimizer moments for sgd', withMeta('optimizer', '{"name":"sgd","lr":0.1}'));
  const dupText = (key: string) => {
    const { header, data } = splitCheckpoint(classifierBytes);
    const text = JSON.stringify(header).slice(0, -1);
    return forge(`${text},${JSON.stringify(key)}:${JSON.stringify(header[key])}}`, data);
  };
  ckpt(kind, 'duplicate tensor key', dupText('layers.1.bias'));
  ckpt(
    kind,
    'duplicate metadata key',
    (() => {
      const { header, data } = splitCheckpoint(classifierBytes);
      return forge(JSON.stringify(header).replace('"format":', '"config":"{\\"sizes\\":[784,10]}","format":'), data);
    })(),
  );
}

/** Loaded values never checked. */
function writeValueCases({ ckpt, classifierBytes, classifier, idxDir, out, cases }: CaseContext, { edited, withMeta }: Forgeries): void {
  const kind = 'checkpoint: values';
  for (const [label, v] of [
    ['NaN weight', Number.NaN],
    ['+Inf weight', Number.POSITIVE_INFINITY],
    ['-Inf weight', Number.NEGATIVE_INFINITY],
  ] as const) {
    ckpt(
      kind,
      label,
      edited((_, d) => {
        new DataView(d.buffer).setFloat32(4 * 1234, v, true);
        return d;
      }),
    );
  }
  ckpt(
    kind,
    'NaN optimizer moment',
    edited((h, d) => {
      new DataView(d.buffer).setFloat32(offsetsOf(h, 'optimizer.0.m')[0] + 8, Number.NaN, true);
      return d;
    }),
  );
  for (const step of ['abc', '-1', '1.5', '1e3', '']) ckpt(kind, `optimizer_step ${JSON.stringify(step)}`, withMeta('optimizer_step', step));
  ckpt(
    kind,
    'crc32 not hex',
    (() => {
      const { header, data } = splitCheckpoint(classifierBytes);
      metadataOf(header).crc32 = 'zzzz';
      return forge(header, data, true);
    })(),
  );
  ckpt(
    kind,
    'crc mismatch',
    (() => {
      const b = classifierBytes.slice();
      b[b.length - 100] ^= 1;
      return b;
    })(),
  );
  ckpt(kind, 'version 2', withMeta('version', '2'));
  ckpt(kind, 'foreign format', withMeta('format', 'pt'));
  ckpt(
    kind,
    'config with zero sizes',
    edited((h) => {
      metadataOf(h).config = JSON.stringify({ ...configOf(h), sizes: [784, 0, 10] });
    }),
  );
  ckpt(
    kind,
    'generative model with a ce output (config validator)',
    edited((h) => {
      metadataOf(h).config = JSON.stringify({ ...configOf(h), orientation: 'generative', outputEnergy: 'ce' });
    }),
  );
  ckpt(kind, 'optimizer momentum 1', withMeta('optimizer', '{"name":"momentum","momentum":1}'));
  for (const [name, count] of [
    ['empty test set', 0],
    ['empty training set', 0],
  ] as const) {
    const d = idxDir(`empty-${name.replace(/ /g, '-')}`);
    const target = name === 'empty test set' ? d.testImages : d.trainImages;
    const labels = name === 'empty test set' ? d.testLabels : d.trainLabels;
    const write = (p: string, b: Uint8Array) => writeFileSync(p, p.endsWith('.gz') ? gzipSync(b) : b);
    write(target, encodeIdx([count, 28, 28], new Uint8Array(0)));
    write(labels, encodeIdx([count], new Uint8Array(0)));
    const args =
      name === 'empty test set'
        ? ['eval', '--model', classifier, '--data', d.dir]
        : ['train', '--data', d.dir, '--epochs', '1', '--out', join(out, 'empty'), '--no-progress', '--backend', 'js'];
    cases.push({ kind, name, args, names: [target], expect: 1 });
  }
}
