/** `pcn train` run folders (unique, made only for valid inputs, never left empty), defaults from the data, and flag values that make no sense. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackendName } from '../../packages/predictive-coding/src/kernels/native/native-backend.ts';
import { decodeCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-folders-'));
const tiny = join(dir, 'tiny');
const small = join(dir, 'small-8x8');
beforeAll(() => {
  writeTinyIdxDir(tiny);
  writeTinyIdxDir(small, 100, 20, 8);
});

const base = (data: string) => ['train', '--data', data, '--batch', '50', '--layers', '784,16,10', '--threads', '1', '--no-progress'];
const checkpoint = (file: string) => decodeCheckpoint(readFileSync(file), file);
const timeless = (r: Record<string, unknown>[]) => r.map(({ seconds: _s, ...rest }) => rest);

describe('run folders', () => {
  it('a run without --out gets runs/<time> in the working directory; one that fails leaves no folder', () => {
    const cwd = join(dir, 'cwd-default');
    mkdirSync(cwd);
    expect(pcn([...base(tiny), '--epochs', '1'], 60_000, cwd).status).toBe(0);
    const [made] = readdirSync(join(cwd, 'runs'));
    expect(made).toMatch(/^\d{8}-\d{6}(-\d+)?$/);
    expect(readdirSync(join(cwd, 'runs', made)).sort()).toEqual(['accuracy.svg', 'checkpoint.safetensors', 'energy.svg', 'metrics.jsonl', 'model.safetensors']);
    // The data is missing; the layers do not fit the data (found only when training starts): no folder either way.
    for (const args of [
      ['train', '--data', join(dir, 'nowhere')],
      [...base(tiny), '--layers', '784,16,7'],
    ]) {
      const r = pcn(args, 60_000, cwd);
      expect(r.status, r.stderr).toBe(1);
      expect(readdirSync(join(cwd, 'runs'))).toEqual([made]);
    }
    const nested = join(dir, 'not', 'yet');
    expect(pcn([...base(tiny), '--layers', '784,16,7', '--out', nested]).status).toBe(1);
    expect(existsSync(join(dir, 'not'))).toBe(false);
  });

  it('an --out that holds a run is refused (resume it or choose another); one that is a file or under a file is a one-line error', () => {
    const used = join(dir, 'used');
    mkdirSync(used);
    writeFileSync(join(used, 'model.safetensors'), 'a run was here');
    writeFileSync(join(used, 'checkpoint.safetensors'), 'and saved an epoch');
    const r = pcn([...base(tiny), '--epochs', '1', '--out', used]);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `error: --out: ${used} already holds a run (model.safetensors). Continue it with --resume ${used}, or choose another folder (or remove that one).`,
    );
    const file = join(dir, 'out-file');
    writeFileSync(file, 'x');
    for (const out of [file, join(file, 'run')]) {
      const e = pcn([...base(tiny), '--epochs', '1', '--out', out]);
      expect(e.status, e.stderr).toBe(1);
      expect(e.stderr).toMatch(new RegExp(`^error: --out: (cannot create the folder )?${out}`));
      expect(e.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});

describe('defaults from the data', () => {
  it('without --layers, n_0 and n_L come from the data: 8×8 images give 64-128-128-128-10, generative 10-256-256-64', () => {
    for (const [orientation, sizes] of [
      ['discriminative', [64, 128, 128, 128, 10]],
      ['generative', [10, 256, 256, 64]],
    ] as const) {
      const out = join(dir, `small-${orientation}`);
      const r = pcn(['train', '--data', small, '--orientation', orientation, '--epochs', '1', '--eval-steps', '2', '--threads', '1', '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(checkpoint(join(out, 'model.safetensors')).config.sizes).toEqual(sizes);
    }
  });
});

describe('--layers against the data', () => {
  it('sizes that do not fit the images or the classes are refused before the banner, naming --layers and the sizes that fit', () => {
    const cases: [string[], string][] = [
      [
        ['--layers', '100,10'],
        `error: --layers: 100,10 does not fit ${tiny}: its images have 784 values (28×28) and it has 10 classes, so a discriminative model needs n_0 = 784 and n_L = 10, e.g. --layers 784,…,10.`,
      ],
      [
        ['--layers', '784,16,7'],
        `error: --layers: 784,16,7 does not fit ${tiny}: its images have 784 values (28×28) and it has 10 classes, so a discriminative model needs n_0 = 784 and n_L = 10, e.g. --layers 784,…,10.`,
      ],
      [
        ['--layers', '784,16,10', '--orientation', 'generative'],
        `error: --layers: 784,16,10 does not fit ${tiny}: its images have 784 values (28×28) and it has 10 classes, so a generative model needs n_0 = 10 and n_L = 784, e.g. --layers 10,…,784.`,
      ],
    ];
    for (const [args, message] of cases) {
      const r = pcn(['train', '--data', tiny, '--threads', '1', ...args]);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stdout, args.join(' ')).toBe('');
      expect(r.stderr, args.join(' ')).toBe(`${message}\n`);
    }
  });

  it('so are the --layers of pcn experiment generative and streaming', () => {
    for (const [name, layers, orientation, fit] of [
      ['generative', '10,16,100', 'generative', 'n_0 = 10 and n_L = 784, e.g. --layers 10,…,784'],
      ['streaming', '64,16,10', 'discriminative', 'n_0 = 784 and n_L = 10, e.g. --layers 784,…,10'],
    ] as const) {
      const r = pcn(['experiment', name, '--data', tiny, '--layers', layers, '--threads', '1', '--out', join(dir, `exp-layers-${name}`)]);
      expect(r.status, name).toBe(1);
      expect(r.stderr, name).toBe(
        `error: --layers: ${layers} does not fit ${tiny}: its images have 784 values (28×28) and it has 10 classes, so a ${orientation} model needs ${fit}.\n`,
      );
    }
  });
});

describe('defaults per schedule', () => {
  it("--schedule streaming without flags takes pcn experiment streaming's measured settings, and its banner says so", async () => {
    const out = join(dir, 'streaming-defaults');
    const r = pcn(['train', '--data', tiny, '--schedule', 'streaming', '--threads', '1', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const banner = r.stdout.split('\n')[0];
    // The default backend, cpu, is native where its addon is built, else wasm.
    expect(banner).toMatch(
      new RegExp(
        `^pcn train: 784-256-10 discriminative leaky-relu, streaming schedule, 203,530 parameters, 300 training examples from .*; 48 streams, k = 20 bottom-up steps per example, x step 0\\.8, momentum 0, stillness θ = 0\\.001, adamw lr 0\\.0003, ${await cpuBackendName()} backend × 1 thread$`,
      ),
    );
    expect(checkpoint(join(out, 'model.safetensors')).config.sizes).toEqual([784, 256, 10]);
    const info = JSON.parse(pcn(['info', '--model', join(out, 'model.safetensors'), '--json']).stdout);
    expect(info.optimizer.lr).toBe(3e-4);
    expect(readdirSync(out).sort()).toEqual(['metrics.jsonl', 'model.safetensors']);
  });

  it('flags given win over the per-schedule defaults', () => {
    const args = [
      '--streams',
      '4',
      '--stream-steps',
      '3',
      '--lr-x',
      '0.5',
      '--momentum-x',
      '0.2',
      '--lr-w',
      '0.001',
      '--stillness',
      '0.01',
      '--layers',
      '784,8,10',
    ];
    const r = pcn(['train', '--data', tiny, '--schedule', 'streaming', '--threads', '1', '--out', join(dir, 'streaming-flags'), ...args]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(
      /784-8-10 .*; 4 streams, k = 3 bottom-up steps per example, x step 0\.5, momentum 0\.2, stillness θ = 0\.01, adamw lr 0\.001,/,
    );
  });

  it('the standard schedule keeps its own defaults, and its banner gives its x step and momentum', () => {
    const r = pcn([...base(tiny), '--epochs', '1', '--out', join(dir, 'standard-defaults')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/standard schedule, .*; T=8, batch 50, x step 0\.05, momentum 0\.9, adamw lr 0\.0005, /);
  });

  it('a flag the schedule does not use is refused in one line naming it, before anything is written', () => {
    const cwd = join(dir, 'cwd-schedule-flags');
    mkdirSync(cwd);
    const cases: [string[], string][] = [
      [
        ['--schedule', 'streaming', '--steps', '20'],
        'error: --steps does not apply to --schedule streaming, which relaxes --stream-steps steps per example. Leave it out.',
      ],
      [
        ['--schedule', 'streaming', '--epochs', '2'],
        'error: --epochs does not apply to --schedule streaming, which is one pass over the training examples. Leave it out.',
      ],
      [
        ['--schedule', 'streaming', '--orientation', 'generative'],
        'error: --orientation generative does not apply to --schedule streaming, which classifies by a forward pass. Leave it out, or use --schedule standard.',
      ],
      [['--streams', '4'], 'error: --streams applies only to --schedule streaming. Leave it out, or add --schedule streaming.'],
      [
        ['--schedule', 'incremental', '--stillness', '0.01'],
        'error: --stillness applies only to --schedule streaming. Leave it out, or add --schedule streaming.',
      ],
    ];
    for (const [args, message] of cases) {
      const r = pcn(['train', '--data', tiny, ...args], 60_000, cwd);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toBe(`${message}\n`);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('experiments', () => {
  it('make their folder only when they write: bad data leaves none; an --out under a file is a one-line error', () => {
    const cwd = join(dir, 'cwd-experiment');
    mkdirSync(cwd);
    const r = pcn(['experiment', 'async', '--data', join(dir, 'nowhere')], 60_000, cwd);
    expect(r.status).toBe(1);
    expect(readdirSync(cwd)).toEqual([]);
    const file = join(dir, 'experiment-out-file');
    writeFileSync(file, 'x');
    const e = pcn(['experiment', 'async', '--data', tiny, '--epochs', '1', '--steps', '2', '--threads', '1', '--out', join(file, 'sub')], 60_000, cwd);
    expect(e.status, e.stderr).toBe(1);
    expect(e.stderr).toMatch(/^error: --out: /);
    expect(e.stderr.trim().split('\n')).toHaveLength(1);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe('flags whose extreme values make no sense', () => {
  it('--epochs 0, --steps 0, --lr-x 0 and --lr-w 0 are refused with one line and exit 1, before anything is written', () => {
    const cwd = join(dir, 'cwd-refused');
    mkdirSync(cwd);
    for (const [flag, expected] of [
      ['--epochs', 'expected an integer in 1..100000.'],
      ['--steps', 'expected an integer in 1..10000.'],
      ['--lr-x', 'expected a finite number > 0.'],
      ['--lr-w', 'expected a finite number > 0.'],
    ]) {
      const r = pcn(['train', '--data', tiny, flag, '0'], 60_000, cwd);
      expect(r.status, flag).toBe(1);
      expect(r.stderr).toBe(
        `error: option '${flag} <${flag === '--epochs' ? 'n' : flag === '--steps' ? 'T' : 'F'}>' argument '0' is invalid. ${expected} (run pcn train --help for usage)\n`,
      );
      expect(r.stdout).toBe('');
    }
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('a --batch larger than the training set trains one batch of all of it, exactly as --batch equal to its size', () => {
    const big = pcn([...base(tiny), '--batch', '1000', '--epochs', '2', '--json', '--out', join(dir, 'batch-1000')]);
    expect(big.status, big.stderr).toBe(0);
    expect(big.stderr).toContain('batch 300 (all the training examples)');
    const exact = pcn([...base(tiny), '--batch', '300', '--epochs', '2', '--json', '--out', join(dir, 'batch-300')]);
    const parse = (s: string) =>
      timeless(
        s
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
      );
    expect(parse(big.stdout)).toEqual(parse(exact.stdout));
  });

  it('more --streams than training examples is refused (the stream would see none)', () => {
    const r = pcn(['train', '--data', tiny, '--schedule', 'streaming', '--streams', '301', '--layers', '784,8,10']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(`error: --streams: 301 streams need at least as many training examples, but ${tiny} has 300.`);
  });
});
