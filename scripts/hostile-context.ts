/**
 * What every kind of scripts/hostile-cases.ts builds on: the Case record,
 * the good checkpoints and IDX folder in `dir`, and the helpers that write a
 * numbered hostile file and push the cases that read it.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createConfig, initModel } from '../packages/predictive-coding/src/core/index.ts';
import { encodeIdx } from '../packages/predictive-coding/src/data/index.ts';
import { createReferenceBackend } from '../packages/predictive-coding/src/kernels/index.ts';
import { createRng } from '../packages/predictive-coding/src/random.ts';
import { encodeCheckpoint, initOptimizer } from '../packages/predictive-coding/src/train/index.ts';
import { tinyMnist } from '../test/data/fixtures.ts';

export interface Case {
  readonly kind: string;
  readonly name: string;
  readonly args: readonly string[];
  /** Paths the one-line message must contain. */
  readonly names: readonly string[];
  /** 1 for hostile files; 0 for the controls. */
  readonly expect: 0 | 1;
}

/** An IDX folder and the paths of its four files (the train files may be absent). */
export interface IdxDir {
  readonly dir: string;
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
}

/** The good inputs in `dir` and the helpers each kind uses; `cases` grows as the kinds run. */
export interface CaseContext {
  readonly dir: string;
  /** A folder for the outputs of train and generate. */
  readonly out: string;
  /** A good 784-16-10 classifier with AdamW state, and its bytes. */
  readonly classifier: string;
  readonly classifierBytes: Uint8Array;
  /** A good 10-16-784 generative model. */
  readonly generator: string;
  /** A good 28×28 IDX folder. */
  readonly goodData: IdxDir;
  readonly cases: Case[];
  /** Creates a good IDX folder of side×side images (train files optional) named `name` in `dir`. */
  idxDir(name: string, side?: number, train?: boolean): IdxDir;
  /** Writes `bytes` to the next numbered file, `NNN-name`, and returns its path. */
  file(name: string, bytes: Uint8Array): string;
  /** A hostile checkpoint written to the next numbered file, read by info and by eval. */
  ckpt(kind: string, name: string, bytes: Uint8Array): void;
  /** The checkpoint at `path` (a hostile file, or a path that is not a plain file), read by info and eval. */
  ckptPath(kind: string, name: string, path: string): void;
}

/** Writes the good checkpoints and IDX folder into `dir` and creates the context the kinds share. */
export function initCaseContext(dir: string): CaseContext {
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

  const idxDir = (name: string, side = 28, train = true): IdxDir => {
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
  const file = (name: string, bytes: Uint8Array): string => {
    const path = join(dir, `${String(++n).padStart(3, '0')}-${name}`);
    writeFileSync(path, bytes);
    return path;
  };
  const ckptPath = (kind: string, name: string, path: string): void => {
    cases.push({ kind, name: `${name} (info)`, args: ['info', '--model', path], names: [path], expect: 1 });
    cases.push({ kind, name: `${name} (eval)`, args: ['eval', '--model', path, '--data', goodData.dir, '--backend', 'js'], names: [path], expect: 1 });
  };
  const ckpt = (kind: string, name: string, bytes: Uint8Array): void => ckptPath(kind, name, file(`${name}.safetensors`, bytes));
  return { dir, out, classifier, classifierBytes, generator, goodData, cases, idxDir, file, ckpt, ckptPath };
}
