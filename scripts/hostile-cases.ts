/**
 * The hostile files of scripts/hostile-files.ts, by kind (issue 10, item 6),
 * written into `dir`, each with the pcn command that reads it and the paths
 * its error message must name. Controls are valid inputs that must load.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeflate, createGzip, deflateSync, gzipSync, constants as zlib } from 'node:zlib';
import { createConfig, initModel } from '../src/core/index.ts';
import { encodeIdx } from '../src/data/index.ts';
import { createReferenceBackend } from '../src/kernels/index.ts';
import { createRng } from '../src/random.ts';
import { crc32, encodeCheckpoint, initOptimizer } from '../src/train/index.ts';
import { chunk, concat, ihdr, png, SIGNATURE } from '../test/cli/png-fixtures.ts';
import { tinyMnist } from '../test/data/fixtures.ts';
import { forge, split as splitFile } from '../test/train/safetensors-files.ts';

export interface Case {
  readonly kind: string;
  readonly name: string;
  readonly args: readonly string[];
  /** Paths the one-line message must contain. */
  readonly names: readonly string[];
  /** 1 for hostile files; 0 for the controls. */
  readonly expect: 0 | 1;
}

// biome-ignore lint/suspicious/noExplicitAny: forged headers are arbitrary JSON
type Json = any;

/** Streams `total` zero bytes (after `head`) through gzip or zlib: a bomb of a few MB, made in a second (Z_RLE). */
async function compressedZeros(format: 'gzip' | 'zlib', head: Uint8Array, total: number): Promise<Uint8Array> {
  const z = format === 'gzip' ? createGzip({ level: 9, strategy: zlib.Z_RLE }) : createDeflate({ level: 9, strategy: zlib.Z_RLE });
  const parts: Buffer[] = [];
  z.on('data', (d: Buffer) => parts.push(d));
  const done = new Promise((resolve) => z.on('end', resolve));
  const write = (b: Uint8Array) => new Promise<void>((resolve) => (z.write(b) ? resolve() : z.once('drain', () => resolve())));
  await write(head);
  const block = new Uint8Array(1 << 24);
  for (let left = total; left > 0; left -= block.length) await write(left >= block.length ? block : block.subarray(0, left));
  z.end();
  await done;
  return new Uint8Array(Buffer.concat(parts));
}

function idxHeader(dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  out.set([0, 0, 8, dims.length]);
  for (const [i, d] of dims.entries()) new DataView(out.buffer).setUint32(4 + 4 * i, d);
  return out;
}

/** A checkpoint's header (parsed, to be edited as arbitrary JSON) and data section. */
const split = (b: Uint8Array) => splitFile(b) as { header: Record<string, Json>; data: Uint8Array };

/** Writes every case's files into `dir` and returns the cases. */
export async function writeCases(dir: string): Promise<Case[]> {
  const cases: Case[] = [];
  const js = createReferenceBackend('float32');
  const classifierModel = initModel(createConfig({ sizes: [784, 16, 10] }), js, createRng(1));
  const classifierBytes = encodeCheckpoint(classifierModel, { optimizer: initOptimizer(classifierModel, { name: 'adamw', lr: 1e-3 }, js) });
  const generatorBytes = encodeCheckpoint(initModel(createConfig({ sizes: [10, 16, 784], orientation: 'generative' }), js, createRng(2)));
  const classifier = join(dir, 'classifier.safetensors');
  const generator = join(dir, 'generator.safetensors');
  writeFileSync(classifier, classifierBytes);
  writeFileSync(generator, generatorBytes);
  const out = join(dir, 'out');
  mkdirSync(out);

  /** A good IDX folder of side×side images (train files optional), returned with its file paths. */
  const idxDir = (name: string, side = 28, train = true) => {
    const d = join(dir, name);
    mkdirSync(d);
    const t = tinyMnist(20, side, side);
    const files = {
      trainImages: join(d, 'train-images-idx3-ubyte.gz'),
      trainLabels: join(d, 'train-labels-idx1-ubyte'),
      testImages: join(d, 't10k-images-idx3-ubyte'),
      testLabels: join(d, 't10k-labels-idx1-ubyte.gz'),
    };
    if (train) {
      writeFileSync(files.trainImages, gzipSync(encodeIdx([20, side, side], t.images)));
      writeFileSync(files.trainLabels, encodeIdx([20], t.labels));
    }
    writeFileSync(files.testImages, encodeIdx([20, side, side], t.images));
    writeFileSync(files.testLabels, gzipSync(encodeIdx([20], t.labels)));
    return { dir: d, ...files };
  };
  const goodData = idxDir('good-data');

  let n = 0;
  const file = (name: string, bytes: Uint8Array) => {
    const path = join(dir, `${String(++n).padStart(3, '0')}-${name}`);
    writeFileSync(path, bytes);
    return path;
  };
  const info = (path: string) => ['info', '--model', path];
  const evalWith = (path: string) => ['eval', '--model', path, '--data', goodData.dir, '--backend', 'js'];

  /** A hostile checkpoint, read by info and by eval. */
  const ckpt = (kind: string, name: string, bytes: Uint8Array) => ckptPath(kind, name, file(`${name}.safetensors`, bytes));
  const edited = (edit: (h: Record<string, Json>, d: Uint8Array) => Uint8Array | undefined, base = classifierBytes) => {
    const { header, data } = split(base);
    return forge(header, edit(header, data) ?? data);
  };
  /** The good classifier with metadata entry `key` set to `value`. */
  const withMeta = (key: string, value: Json) =>
    edited((h) => {
      h.__metadata__[key] = value;
    });
  /** The good classifier with `field` of tensor `tensor`'s header entry set to `value`. */
  const withEntry = (tensor: string, field: string, value: Json) =>
    edited((h) => {
      h[tensor][field] = value;
    });
  const { data: goodSection } = split(classifierBytes);

  // ---- parsed JSON is cast, not checked ----
  let kind = 'checkpoint: JSON cast';
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
    edited((h) => void delete h['layers.1.bias'].dtype),
  );
  ckpt(
    kind,
    'fractional offset',
    edited((h) => {
      h['layers.1.bias'].data_offsets[0] += 0.5;
    }),
  );
  ckpt(
    kind,
    'offset 2^60',
    edited((h) => {
      h['layers.2.bias'].data_offsets[1] = 2 ** 60;
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
    edited((h) => void delete h.__metadata__.config),
  );
  ckpt(kind, 'config nested 100000 deep', withMeta('config', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`));
  ckpt(kind, 'header nested 1000000 deep', forge(`{"__metadata__":${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}}`, goodSection));
  ckpt(
    kind,
    'header not UTF-8',
    forge('{"\xff":1}', goodSection).map((b, i, a) => (i === 10 && a[i] === 0xc3 ? 0xff : b)),
  );

  // ---- necessary conditions instead of the rule ----
  kind = 'checkpoint: rule not condition';
  ckpt(
    kind,
    'transposed weight [784, 16]',
    edited((h) => void h['layers.1.weights'].shape.reverse()),
  );
  ckpt(kind, 'weight reshaped [32, 392]', withEntry('layers.1.weights', 'shape', [32, 392]));
  ckpt(kind, 'overlapping tensors', withEntry('layers.1.bias', 'data_offsets', [0, 64]));
  ckpt(
    kind,
    'hole between tensors',
    edited((h) => {
      for (const k of Object.keys(h)) if (k !== '__metadata__' && k !== 'layers.1.weights') h[k].data_offsets = h[k].data_offsets.map((o: number) => o + 4);
      return concat(goodSection, new Uint8Array(4));
    }),
  );
  ckpt(
    kind,
    'data not starting at 0',
    edited((h) => {
      for (const k of Object.keys(h)) if (k !== '__metadata__') h[k].data_offsets = h[k].data_offsets.map((o: number) => o + 8);
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
      const { header, data } = split(classifierBytes);
      const longer = concat(data, new Uint8Array(8));
      header.__metadata__.crc32 = crc32(longer).toString(16).padStart(8, '0');
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
    const { header, data } = split(classifierBytes);
    const text = JSON.stringify(header).slice(0, -1);
    return forge(`${text},${JSON.stringify(key)}:${JSON.stringify(header[key])}}`, data);
  };
  ckpt(kind, 'duplicate tensor key', dupText('layers.1.bias'));
  ckpt(
    kind,
    'duplicate metadata key',
    (() => {
      const { header, data } = split(classifierBytes);
      return forge(JSON.stringify(header).replace('"format":', '"config":"{\\"sizes\\":[784,10]}","format":'), data);
    })(),
  );

  // ---- loaded values never checked ----
  kind = 'checkpoint: values';
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
      new DataView(d.buffer).setFloat32(h['optimizer.0.m'].data_offsets[0] + 8, Number.NaN, true);
      return d;
    }),
  );
  for (const step of ['abc', '-1', '1.5', '1e3', '']) ckpt(kind, `optimizer_step ${JSON.stringify(step)}`, withMeta('optimizer_step', step));
  ckpt(
    kind,
    'crc32 not hex',
    (() => {
      const { header, data } = split(classifierBytes);
      header.__metadata__.crc32 = 'zzzz';
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
      h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), sizes: [784, 0, 10] });
    }),
  );
  ckpt(
    kind,
    'generative model with a ce output (config validator)',
    edited((h) => {
      h.__metadata__.config = JSON.stringify({ ...JSON.parse(h.__metadata__.config), orientation: 'generative', outputEnergy: 'ce' });
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

  // ---- no size limit before allocating ----
  kind = 'size limits';
  {
    const bomb = idxDir('gzip-bomb');
    const gz = join(bomb.dir, 't10k-images-idx3-ubyte.gz');
    writeFileSync(gz, await compressedZeros('gzip', idxHeader([20, 28, 28]), 4 * 2 ** 30)); // 4 GB inflated
    cases.push({ kind, name: '4 MB gzip inflating to 4 GB (eval)', args: ['eval', '--model', classifier, '--data', bomb.dir], names: [gz], expect: 1 });
    const bombTrain = idxDir('gzip-bomb-train');
    writeFileSync(bombTrain.trainImages, await compressedZeros('gzip', idxHeader([60000, 28, 28]), 4 * 2 ** 30));
    cases.push({
      kind,
      name: '4 MB gzip inflating to 4 GB, MNIST header (train)',
      args: ['train', '--data', bombTrain.dir, '--epochs', '1', '--out', join(out, 'bomb'), '--no-progress'],
      names: [bombTrain.trainImages],
      expect: 1,
    });
    const atCap = idxDir('gzip-at-cap');
    writeFileSync(atCap.trainImages, await compressedZeros('gzip', idxHeader([342_000, 28, 28]), 342_000 * 784 + 2 ** 20));
    cases.push({
      kind,
      name: 'gzip declaring 268 MB (the cap) and inflating past it (train)',
      args: ['train', '--data', atCap.dir, '--epochs', '1', '--out', join(out, 'cap'), '--no-progress'],
      names: [atCap.trainImages],
      expect: 1,
    });
    const claims = idxDir('idx-huge-dims');
    writeFileSync(claims.testImages, idxHeader([60_000_000, 28, 28]));
    cases.push({ kind, name: 'IDX header claiming 47 GB', args: ['eval', '--model', classifier, '--data', claims.dir], names: [claims.testImages], expect: 1 });
    const sparse = idxDir('idx-sparse-1tb');
    truncateSync(sparse.testImages, 2 ** 40);
    cases.push({ kind, name: 'sparse 1 TB IDX file', args: ['eval', '--model', classifier, '--data', sparse.dir], names: [sparse.testImages], expect: 1 });
    // A valid 20000×20000 greyscale PNG: 400 MB of zero scanlines deflate to about 389 kB.
    const bigPng = file(
      '20000x20000.png',
      concat(
        SIGNATURE,
        ihdr(20000, 20000, 8, 0),
        chunk('IDAT', await compressedZeros('zlib', new Uint8Array(0), 20000 * 20001)),
        chunk('IEND', new Uint8Array(0)),
      ),
    );
    cases.push({
      kind,
      name: 'valid 20000×20000 PNG (389 kB)',
      args: ['generate', '--model', generator, '--complete', bigPng, '--out', join(out, 'a.png')],
      names: [bigPng],
      expect: 1,
    });
    const pngBomb = file('idat-1gb.png', png({ width: 28, height: 28, colorType: 0, depth: 8 }, await compressedZeros('zlib', new Uint8Array(0), 2 ** 30)));
    cases.push({
      kind,
      name: '28×28 PNG whose IDAT inflates to 1 GB',
      args: ['generate', '--model', generator, '--complete', pngBomb, '--out', join(out, 'b.png')],
      names: [pngBomb],
      expect: 1,
    });
    const zero = join(dir, 'zero.safetensors');
    symlinkSync('/dev/zero', zero);
    ckptPath(kind, 'link to /dev/zero', zero);
    const urandom = join(dir, 'urandom.safetensors');
    symlinkSync('/dev/urandom', urandom);
    ckptPath(kind, 'link to /dev/urandom', urandom);
    const fifo = join(dir, 'fifo.safetensors');
    execFileSync('mkfifo', [fifo]);
    ckptPath(kind, 'named pipe with no writer', fifo);
    const header120 = new Uint8Array(8 + 120_000_000).fill(0x20);
    new DataView(header120.buffer).setBigUint64(0, 120_000_000n, true);
    header120[8] = 0x7b;
    header120[header120.length - 1] = 0x7d;
    ckpt(kind, '120 MB JSON header', header120);
    const huge = file('sparse-3gb.safetensors', new Uint8Array(0));
    truncateSync(huge, 3 * 2 ** 30);
    ckptPath(kind, 'sparse 3 GB checkpoint', huge);
    const claim = new Uint8Array(16);
    new DataView(claim.buffer).setBigUint64(0, 2n ** 63n, true);
    ckpt(kind, 'header length 2^63', claim);
    const bigPngFile = file('sparse-1gb.png', new Uint8Array(0));
    truncateSync(bigPngFile, 2 ** 30);
    cases.push({
      kind,
      name: 'sparse 1 GB PNG',
      args: ['generate', '--model', generator, '--complete', bigPngFile, '--out', join(out, 'c.png')],
      names: [bigPngFile],
      expect: 1,
    });
  }

  /** The checkpoint at `path` (a hostile file, or a path that is not a plain file), read by info and eval. */
  function ckptPath(kind: string, name: string, path: string): void {
    cases.push({ kind, name: `${name} (info)`, args: info(path), names: [path], expect: 1 });
    cases.push({ kind, name: `${name} (eval)`, args: evalWith(path), names: [path], expect: 1 });
  }

  return finishCases(dir, cases, { classifier, generator, classifierBytes, goodData, idxDir, file, out });
}

/** The file-system, IDX, PNG, terminal, conflict and naming kinds, and the controls. */
function finishCases(
  dir: string,
  cases: Case[],
  ctx: {
    classifier: string;
    generator: string;
    classifierBytes: Uint8Array;
    goodData: { dir: string; testImages: string };
    idxDir: (name: string, side?: number, train?: boolean) => { dir: string; trainImages: string; trainLabels: string; testImages: string; testLabels: string };
    file: (name: string, bytes: Uint8Array) => string;
    out: string;
  },
): Case[] {
  const { classifier, generator, goodData, idxDir, file, out } = ctx;
  const evalOn = (d: string) => ['eval', '--model', classifier, '--data', d];
  const trainOn = (d: string, name: string) => ['train', '--data', d, '--epochs', '1', '--out', join(out, name), '--no-progress', '--backend', 'js'];
  const complete = (p: string, name: string) => ['generate', '--model', generator, '--complete', p, '--out', join(out, `${name}.png`)];

  // ---- file-system errors on reading ----
  let kind = 'file system';
  const folderName = idxDir('idx-name-is-folder');
  execFileSync('rm', [folderName.testImages]);
  mkdirSync(folderName.testImages);
  cases.push({ kind, name: 'IDX name that is a folder (eval)', args: evalOn(folderName.dir), names: [folderName.testImages], expect: 1 });
  const folderTrain = idxDir('idx-train-name-is-folder');
  execFileSync('rm', [folderTrain.trainLabels]);
  mkdirSync(folderTrain.trainLabels);
  cases.push({ kind, name: 'IDX name that is a folder (train)', args: trainOn(folderTrain.dir, 'f'), names: [folderTrain.trainLabels], expect: 1 });
  const missing = idxDir('idx-missing');
  execFileSync('rm', [missing.testLabels]);
  cases.push({ kind, name: 'IDX file missing', args: evalOn(missing.dir), names: [missing.dir], expect: 1 });
  const asFile = file('data-is-a-file', new Uint8Array(1));
  cases.push({ kind, name: '--data is a file', args: evalOn(asFile), names: [asFile], expect: 1 });
  cases.push({ kind, name: '--data under a file (ENOTDIR)', args: evalOn(join(asFile, 'sub')), names: [join(asFile, 'sub')], expect: 1 });
  cases.push({ kind, name: '--data missing', args: evalOn(join(dir, 'nowhere')), names: [join(dir, 'nowhere')], expect: 1 });
  const loopLink = join(dir, 'loop.safetensors');
  execFileSync('ln', ['-s', loopLink, loopLink]);
  for (const [name, path] of [
    ['checkpoint is a folder', dir],
    ['checkpoint missing', join(dir, 'none.safetensors')],
    ['checkpoint under a file (ENOTDIR)', join(asFile, 'm.safetensors')],
    ['checkpoint symlink loop', loopLink],
  ] as const) {
    cases.push({ kind, name: `${name} (info)`, args: ['info', '--model', path], names: [path], expect: 1 });
    cases.push({
      kind,
      name: `${name} (generate)`,
      args: ['generate', '--model', path, '--label', '1', '--out', join(out, 'x.png')],
      names: [path],
      expect: 1,
    });
  }
  cases.push({ kind, name: 'PNG is a folder', args: complete(dir, 'd'), names: [dir], expect: 1 });
  cases.push({ kind, name: 'PNG missing', args: complete(join(dir, 'none.png'), 'e'), names: [join(dir, 'none.png')], expect: 1 });
  const devPng = join(dir, 'zero.png');
  execFileSync('ln', ['-s', '/dev/zero', devPng]);
  cases.push({ kind, name: 'PNG link to /dev/zero', args: complete(devPng, 'z'), names: [devPng], expect: 1 });
  // Writing side (issue 10: --out that is a file or sits under a file).
  cases.push({
    kind,
    name: 'generate --out under a file',
    args: ['generate', '--model', generator, '--label', '1', '--out', join(asFile, 'x.png')],
    names: [join(asFile, 'x.png')],
    expect: 1,
  });
  cases.push({ kind, name: 'generate --out is a folder', args: ['generate', '--model', generator, '--label', '1', '--out', out], names: [out], expect: 1 });
  cases.push({
    kind,
    name: 'train --out is a file',
    args: ['train', '--data', goodData.dir, '--epochs', '1', '--out', asFile, '--no-progress'],
    names: [asFile],
    expect: 1,
  });

  // ---- corrupt IDX files ----
  kind = 'IDX';
  const idxCases: [string, (d: ReturnType<typeof idxDir>) => [string, Uint8Array]][] = [
    ['truncated images', (d) => [d.testImages, encodeIdx([20, 28, 28], new Uint8Array(20 * 784)).subarray(0, 5000)]],
    ['trailing bytes', (d) => [d.testImages, concat(encodeIdx([20, 28, 28], new Uint8Array(20 * 784)), new Uint8Array(3))]],
    ['bad magic', (d) => [d.testImages, Uint8Array.of(0x50, 0x4b, 3, 4, 0, 0, 0, 0)]],
    ['element type float', (d) => [d.testImages, Uint8Array.of(0, 0, 0x0d, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0)]],
    ['zero dimensions', (d) => [d.testImages, Uint8Array.of(0, 0, 8, 0)]],
    ['label 11', (d) => [d.testLabels, gzipSync(encodeIdx([20], new Uint8Array(20).fill(11)))]],
    ['labels count differs', (d) => [d.testLabels, gzipSync(encodeIdx([19], new Uint8Array(19)))]],
    ['labels file with images', (d) => [d.testLabels, gzipSync(encodeIdx([20, 28, 28], new Uint8Array(20 * 784)))]],
    ['truncated gzip', (d) => [d.testLabels, gzipSync(encodeIdx([20], new Uint8Array(20))).subarray(0, 20)]],
    ['gzip CRC wrong', (d) => [d.testLabels, gzipSync(encodeIdx([20], new Uint8Array(20))).map((b, i, a) => (i === a.length - 6 ? b ^ 1 : b))]],
    ['gzip with trailing junk', (d) => [d.testLabels, concat(gzipSync(encodeIdx([20], new Uint8Array(20))), Uint8Array.of(1, 2, 3))]],
    ['images 0×28', (d) => [d.testImages, encodeIdx([20, 0, 28], new Uint8Array(0))]],
  ];
  for (const [name, make] of idxCases) {
    const d = idxDir(`idx-${name.replace(/\W+/g, '-')}`);
    const [path, bytes] = make(d);
    writeFileSync(path, bytes);
    cases.push({ kind, name, args: evalOn(d.dir), names: [path], expect: 1 });
  }
  const trainBad = idxDir('idx-train-truncated');
  writeFileSync(trainBad.trainImages, gzipSync(encodeIdx([20, 28, 28], new Uint8Array(20 * 784)).subarray(0, 9000)));
  cases.push({ kind, name: 'truncated training images (train)', args: trainOn(trainBad.dir, 't'), names: [trainBad.trainImages], expect: 1 });
  const sizes = idxDir('idx-train-test-sizes');
  writeFileSync(sizes.testImages, encodeIdx([20, 8, 8], new Uint8Array(20 * 64)));
  cases.push({ kind, name: 'train 28×28, test 8×8 (train)', args: trainOn(sizes.dir, 's'), names: [sizes.trainImages, sizes.testImages], expect: 1 });

  // ---- decoder output used as is: PNGs the reader must refuse ----
  kind = 'PNG';
  const base = { width: 28, height: 28, colorType: 0, depth: 8 } as const;
  const samples = Array.from({ length: 784 }, (_, i) => i % 256);
  const good = png({ ...base, samples });
  const idat = (b: Uint8Array) => new Uint8Array(deflateSync(b));
  const raw = new Uint8Array(28 * 29);
  const pngCases: [string, Uint8Array][] = [
    ['not a PNG', new TextEncoder().encode('GIF89a……')],
    ['truncated', good.subarray(0, 60)],
    ['IDAT CRC wrong', good.map((b, i, a) => (i === a.length - 20 ? b ^ 1 : b))],
    [
      'zlib Adler-32 wrong',
      png(
        base,
        idat(raw).map((b, i, a) => (i === a.length - 1 ? b ^ 1 : b)),
      ),
    ],
    ['IDAT inflates short', png(base, idat(raw.subarray(0, 500)))],
    ['bytes after the zlib stream', png(base, concat(idat(raw), Uint8Array.of(9, 9)))],
    ['filter type 9', png(base, idat(raw.map((b, i) => (i === 29 ? 9 : b))))],
    ['bit depth 3', concat(SIGNATURE, ihdr(28, 28, 3, 0), chunk('IEND', new Uint8Array(0)))],
    ['colour type 5', concat(SIGNATURE, ihdr(28, 28, 8, 5), chunk('IEND', new Uint8Array(0)))],
    ['palette image without PLTE', png({ width: 28, height: 28, colorType: 3, depth: 8, samples: new Array(784).fill(0) })],
    ['palette index past the palette', png({ width: 28, height: 28, colorType: 3, depth: 8, samples: new Array(784).fill(5), palette: [[1, 2, 3]] })],
    ['unknown critical chunk', concat(good.subarray(0, 33), chunk('CRIT', new Uint8Array(4)), good.subarray(33))],
    ['data after IEND', concat(good, new Uint8Array(10))],
    ['no IEND', good.subarray(0, good.length - 12)],
    ['IHDR not first', concat(SIGNATURE, chunk('IDAT', idat(raw)), good.subarray(8))],
    ['chunk length 2^31', concat(good.subarray(0, 33), Uint8Array.of(0x80, 0, 0, 0), new TextEncoder().encode('IDAT'))],
    ['1-bit 10×10 for a 784-pixel model', png({ width: 10, height: 10, colorType: 0, depth: 1, samples: new Array(100).fill(1) })],
  ];
  for (const [name, bytes] of pngCases) {
    const path = file(`${name.replace(/\W+/g, '-')}.png`, bytes);
    cases.push({ kind, name, args: complete(path, name.replace(/\W+/g, '-')), names: [path], expect: 1 });
  }

  // ---- file text reaching the terminal ----
  kind = 'terminal text';
  const { header, data } = split(ctx.classifierBytes);
  const esc = '\u001b[2J\u001b[31mPWNED\r\n';
  const t1 = structuredClone(header);
  t1[`evil${esc}`] = { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] };
  const p1 = file('escape-tensor-name.safetensors', forge(t1, concat(data, new Uint8Array(4))));
  const t2 = structuredClone(header);
  t2['layers.1.bias'].dtype = `F16${esc}`;
  const p2 = file('escape-dtype.safetensors', forge(t2, data));
  const t3 = structuredClone(header);
  t3.__metadata__.format = `pt${esc}`;
  const p3 = file('escape-format.safetensors', forge(t3, data));
  const t4 = structuredClone(header);
  t4.__metadata__.config = `{"sizes":[784,16,10],"activations":["linear","leaky-relu","linear${esc}"],"orientation":"discriminative","outputEnergy":"mse"}`;
  const p4 = file('escape-config.safetensors', forge(t4, data));
  for (const [name, path] of [
    ['control characters in a tensor name', p1],
    ['control characters in dtype', p2],
    ['control characters in format', p3],
    ['control characters in config', p4],
  ] as const) {
    cases.push({ kind, name, args: ['info', '--model', path], names: [path], expect: 1 });
  }

  // ---- two conflicting inputs ----
  kind = 'conflicting inputs';
  for (const key of ['testImages', 'testLabels'] as const) {
    const d = idxDir(`conflict-${key}`);
    const other = d[key].endsWith('.gz') ? d[key].slice(0, -3) : `${d[key]}.gz`;
    const t = tinyMnist(20, 28, 28);
    const bytes =
      key === 'testImages'
        ? encodeIdx(
            [20, 28, 28],
            t.images.map((v) => 255 - v),
          )
        : encodeIdx(
            [20],
            t.labels.map((v) => (v + 1) % 10),
          );
    writeFileSync(other, other.endsWith('.gz') ? gzipSync(bytes) : bytes);
    cases.push({ kind, name: `${key}: x.gz and x differ (eval)`, args: evalOn(d.dir), names: [d[key], other], expect: 1 });
  }
  {
    const d = idxDir('conflict-train');
    writeFileSync(d.trainImages.slice(0, -3), encodeIdx([20, 28, 28], new Uint8Array(20 * 784)));
    cases.push({
      kind,
      name: 'trainImages: x.gz and x differ (train)',
      args: trainOn(d.dir, 'c'),
      names: [d.trainImages, d.trainImages.slice(0, -3)],
      expect: 1,
    });
  }

  // ---- messages that must name their input ----
  kind = 'messages name input';
  const eight = idxDir('eight-by-eight', 8);
  cases.push({ kind, name: '784-pixel model on 8×8 data (eval)', args: evalOn(eight.dir), names: [classifier, eight.dir], expect: 1 });
  cases.push({
    kind,
    name: 'label 12 of a 10-class model',
    args: ['generate', '--model', generator, '--label', '12', '--out', join(out, 'l.png')],
    names: [generator],
    expect: 1,
  });
  cases.push({
    kind,
    name: '784-pixel layers on 8×8 data (train --layers)',
    args: ['train', '--data', eight.dir, '--layers', '784,16,10', '--epochs', '1', '--out', join(out, 'l8'), '--no-progress', '--backend', 'js'],
    names: [eight.dir],
    expect: 1,
  });

  // ---- controls: valid inputs that must load (exit 0) ----
  kind = 'controls';
  const testOnly = idxDir('test-only', 28, false);
  const palette = file(
    'palette.png',
    png({
      width: 28,
      height: 28,
      colorType: 3,
      depth: 4,
      samples: samples.map((v) => v % 3),
      palette: [
        [0, 0, 0],
        [255, 255, 255],
        [128, 128, 128],
      ],
    }),
  );
  const oneBit = file('one-bit.png', png({ width: 28, height: 28, colorType: 0, depth: 1, samples: samples.map((v) => v % 2) }));
  const same = idxDir('gz-and-raw-identical');
  writeFileSync(`${same.testImages}.gz`, gzipSync(encodeIdx([20, 28, 28], tinyMnist(20, 28, 28).images)));
  const controls: [string, string[]][] = [
    ['info on a good checkpoint', ['info', '--model', classifier]],
    ['eval with only the test files', evalOn(testOnly.dir)],
    ['eval with identical x.gz and x', evalOn(same.dir)],
    ['complete a palette PNG', complete(palette, 'palette-out')],
    ['complete a 1-bit PNG', complete(oneBit, 'one-bit-out')],
    [
      'train on 8×8 images without --layers',
      ['train', '--data', eight.dir, '--epochs', '1', '--out', join(out, 'eight'), '--no-progress', '--backend', 'js', '--batch', '8'],
    ],
  ];
  for (const [name, args] of controls) cases.push({ kind, name, args, names: [], expect: 0 });
  return cases;
}
