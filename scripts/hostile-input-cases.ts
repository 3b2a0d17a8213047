/**
 * The kinds of scripts/hostile-cases.ts that are not about checkpoint
 * contents: file-system errors, corrupt IDX files, PNGs the reader must
 * refuse, file text reaching the terminal, conflicting inputs, messages that
 * must name their input — and the controls, valid inputs that must load.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { encodeIdx } from '../packages/predictive-coding/src/data/index.ts';
import { chunk, concat, ihdr, png, SIGNATURE } from '../test/cli/png-fixtures.ts';
import { tinyMnist } from '../test/data/fixtures.ts';
import { forge } from '../test/train/safetensors-files.ts';
import type { CaseContext, IdxDir } from './hostile-context.ts';
import { entryOf, metadataOf, splitCheckpoint } from './hostile-json.ts';

/** Writes these kinds' files and the controls', and pushes their cases onto `ctx.cases`. */
export function writeInputCases({ dir, out, classifier, classifierBytes, generator, goodData, cases, idxDir, file }: CaseContext): void {
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
  const idxCases: [string, (d: IdxDir) => [string, Uint8Array]][] = [
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
  const { header, data } = splitCheckpoint(classifierBytes);
  const esc = '\u001b[2J\u001b[31mPWNED\r\n';
  const t1 = structuredClone(header);
  t1[`evil${esc}`] = { dtype: 'F32', shape: [1], data_offsets: [data.length, data.length + 4] };
  const p1 = file('escape-tensor-name.safetensors', forge(t1, concat(data, new Uint8Array(4))));
  const t2 = structuredClone(header);
  entryOf(t2, 'layers.1.bias').dtype = `F16${esc}`;
  const p2 = file('escape-dtype.safetensors', forge(t2, data));
  const t3 = structuredClone(header);
  metadataOf(t3).format = `pt${esc}`;
  const p3 = file('escape-format.safetensors', forge(t3, data));
  const t4 = structuredClone(header);
  metadataOf(t4).config = `{"sizes":[784,16,10],"activations":["linear","leaky-relu","linear${esc}"],"orientation":"discriminative","outputEnergy":"mse"}`;
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
}
