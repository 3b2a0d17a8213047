/**
 * `pcn train` runs that never lose work: signals save like Ctrl-C, a
 * checkpoint after every epoch, --resume continues bit-identically
 * (train-folders.test.ts has run folders and refused flag values).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeCheckpoint } from '../../packages/predictive-coding/src/train/index.ts';
import { writeTinyIdxDir } from '../data/fixtures.ts';
import { pcn, pcnArgs } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-runs-'));
const tiny = join(dir, 'tiny');
const mid = join(dir, 'mid');
const long = join(dir, 'long');
const other = join(dir, 'other');
// A training set small enough for fast epochs, one whose epochs take a few hundred ms (to kill a run mid-way), and one long stream.
beforeAll(() => {
  writeTinyIdxDir(tiny);
  writeTinyIdxDir(mid, 3000, 100);
  writeTinyIdxDir(long, 20_000, 10);
  writeTinyIdxDir(other, 301, 100);
});

const base = (data: string) => ['train', '--data', data, '--batch', '50', '--layers', '784,16,10', '--threads', '1', '--no-progress'];

interface Started {
  readonly child: ChildProcess;
  /** Resolves once stdout has `n` lines. */
  lines(n: number): Promise<string[]>;
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** Starts `pcn args…` and lets the test watch its output and signal it. */
function start(args: string[], cwd = dir): Started {
  const child = spawn(process.execPath, pcnArgs(args), { cwd });
  let stdout = '';
  let stderr = '';
  const waiters: { n: number; resolve: (lines: string[]) => void }[] = [];
  const lines = () => stdout.split('\n').slice(0, -1);
  child.stdout?.on('data', (d) => {
    stdout += d;
    for (const w of waiters.splice(0)) {
      if (lines().length >= w.n) w.resolve(lines());
      else waiters.push(w);
    }
  });
  child.stderr?.on('data', (d) => (stderr += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return {
    child,
    lines: (n) =>
      new Promise((resolve, reject) => {
        if (lines().length >= n) resolve(lines());
        else waiters.push({ n, resolve });
        done.then(() => reject(new Error(`pcn exited before printing ${n} lines:\n${stdout}\n${stderr}`)));
      }),
    done,
  };
}

const rows = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
const timeless = (r: Record<string, unknown>[]) => r.map(({ seconds: _s, ...rest }) => rest);
const checkpoint = (file: string) => decodeCheckpoint(readFileSync(file), file);
/** Every tensor (weights, biases, optimiser moments) as bytes. */
function tensors(file: string): Record<string, number[]> {
  return Object.fromEntries([...checkpoint(file).tensors].map(([k, v]) => [k, [...new Uint8Array(v.buffer)]]));
}

describe('pcn train stops cleanly on signals', () => {
  it('SIGTERM, SIGHUP and SIGINT stop after the current batch, write model, log, checkpoint and plots, and exit 143, 129, 130', async () => {
    const signals = [
      ['SIGTERM', 143],
      ['SIGHUP', 129],
      ['SIGINT', 130],
    ] as const;
    await Promise.all(
      signals.map(async ([signal, status]) => {
        const out = join(dir, `signal-${signal}`);
        const run = start([...base(tiny), '--epochs', '100000', '--json', '--out', out]);
        await run.lines(1);
        run.child.kill(signal);
        const r = await run.done;
        expect(r.code, r.stderr).toBe(status);
        expect(r.stderr).toContain(`${signal}: stopping after this batch and saving`);
        for (const f of ['model.safetensors', 'checkpoint.safetensors', 'metrics.jsonl', 'energy.svg', 'accuracy.svg'])
          expect(existsSync(join(out, f)), f).toBe(true);
        const logged = rows(join(out, 'metrics.jsonl'));
        expect(logged.map((row) => row.epoch)).toEqual(logged.map((_, i) => i + 1));
        expect(
          r.stdout
            .trim()
            .split('\n')
            .map((l) => JSON.parse(l)),
        ).toEqual(logged);
        expect(checkpoint(join(out, 'checkpoint.safetensors')).metadata.epoch).toBe(String(logged.length));
        const model = checkpoint(join(out, 'model.safetensors')).metadata;
        expect(model.interrupted).toMatch(new RegExp(`^${signal} in epoch ${logged.length + 1} after batch [1-6] of 6$`));
        expect(model.epochs).toBe(String(logged.length));
      }),
    );
  });

  it('a run stopped during its first epoch saves only the model, and its folder is then neither resumable nor advertised as such', async () => {
    const out = join(dir, 'stopped-in-epoch-1');
    // 1,000 batches of 100 relaxation steps: an epoch of several seconds, which the signal cuts short.
    const run = start([
      'train',
      '--data',
      long,
      '--batch',
      '20',
      '--steps',
      '100',
      '--layers',
      '784,64,10',
      '--threads',
      '1',
      '--no-progress',
      '--epochs',
      '2',
      '--out',
      out,
    ]);
    await run.lines(1); // the banner: the handlers are in place
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(143);
    expect(r.stdout).toContain('stopped by SIGTERM during epoch 1, before any epoch ended: there is no checkpoint to resume from');
    expect(readdirSync(out)).toEqual(['model.safetensors']);
    const again = pcn(['train', '--data', long, '--out', out]);
    expect(again.status).toBe(1);
    expect(again.stderr).toBe(
      `error: --out: ${out} already holds a run (model.safetensors) with no checkpoint.safetensors to resume from: it stopped before its first epoch ended, or was a streaming run. Choose another folder, or remove that one.\n`,
    );
    const resume = pcn(['train', '--resume', out]);
    expect(resume.status).toBe(1);
    expect(resume.stderr).toMatch(
      /^error: --resume: .* holds no checkpoint\.safetensors, so there is nothing to resume: the run stopped before its first epoch ended/,
    );
  });

  it('the streaming schedule saves on SIGTERM too, with the examples seen so far', async () => {
    const out = join(dir, 'stream-term');
    const run = start(['train', '--data', long, '--schedule', 'streaming', '--layers', '784,8,10', '--stream-steps', '20', '--threads', '1', '--out', out]);
    await run.lines(1); // the first line is printed once the signal handlers are in place
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(143);
    const [row] = rows(join(out, 'metrics.jsonl'));
    expect(row.seen).toBeLessThan(20_000);
    expect(checkpoint(join(out, 'model.safetensors')).metadata.interrupted).toBe(`SIGTERM after ${row.seen} of 20000 examples`);
  });
});

describe('pcn train --resume', () => {
  it('2 epochs, then --resume --epochs 4, equal 4 epochs straight: same tensor bytes, same log rows but timing, rows 3–4 appended', () => {
    const args = [...base(tiny), '--lr-schedule', 'constant', '--json'];
    const straight = join(dir, 'straight-4');
    const resumed = join(dir, 'resumed-4');
    expect(pcn([...args, '--epochs', '4', '--out', straight]).status).toBe(0);
    expect(pcn([...args, '--epochs', '2', '--out', resumed]).status).toBe(0);
    const before = readFileSync(join(resumed, 'metrics.jsonl'), 'utf8');
    const r = pcn(['train', '--resume', resumed, '--epochs', '4', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).epoch),
    ).toEqual([3, 4]);
    const after = readFileSync(join(resumed, 'metrics.jsonl'), 'utf8');
    expect(after.startsWith(before)).toBe(true);
    expect(timeless(rows(join(resumed, 'metrics.jsonl')))).toEqual(timeless(rows(join(straight, 'metrics.jsonl'))));
    expect(tensors(join(resumed, 'model.safetensors'))).toEqual(tensors(join(straight, 'model.safetensors')));
    expect(checkpoint(join(resumed, 'model.safetensors')).metadata.epochs).toBe('4');
  });

  it('a run killed by SIGKILL loses at most the epoch in progress: --resume ends bit-identical to a run never stopped (warm-up–cosine schedule)', async () => {
    const args = [...base(mid), '--batch', '20', '--epochs', '5', '--json'];
    const straight = join(dir, 'kill-straight');
    expect(pcn([...args, '--out', straight]).status).toBe(0);
    const killed = join(dir, 'killed');
    const run = start([...args, '--out', killed]);
    await run.lines(1);
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    const saved = Number(checkpoint(join(killed, 'checkpoint.safetensors')).metadata.epoch);
    expect(saved).toBeGreaterThanOrEqual(1);
    expect(saved).toBeLessThan(5);
    const r = pcn(['train', '--resume', killed, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).epoch)[0],
    ).toBe(saved + 1);
    expect(timeless(rows(join(killed, 'metrics.jsonl')))).toEqual(timeless(rows(join(straight, 'metrics.jsonl'))));
    expect(tensors(join(killed, 'model.safetensors'))).toEqual(tensors(join(straight, 'model.safetensors')));
  });

  it('refuses what it cannot continue: changed settings, --out, a finished run, other data, a folder without a checkpoint', () => {
    const run = join(dir, 'resume-refusals');
    expect(pcn([...base(tiny), '--epochs', '1', '--out', run]).status).toBe(0);
    const cases: [string[], RegExp][] = [
      [
        ['--lr-w', '0.1'],
        /^error: --resume: --lr-w 0\.1 differs from 0\.0005 in the run in .*resume-refusals, and a resumed run keeps its settings\. Leave out --lr-w, or start a new run\.$/,
      ],
      [['--layers', '784,8,10'], /^error: --resume: --layers 784,8,10 differs from \[784,16,10\]/],
      [['--out', join(dir, 'elsewhere')], /^error: --resume continues the run in .* in its own folder; leave out --out\.$/],
      [[], /^error: --resume: the run in .* has finished its 1 epoch; pass --epochs N \(more than 1\) to train on\.$/],
      [['--epochs', '2', '--data', other], /^error: --resume: the data from .*other is not the data the run in .* trained on/],
    ];
    for (const [extra, message] of cases) {
      const r = pcn(['train', '--resume', run, ...extra]);
      expect(r.status, extra.join(' ')).toBe(1);
      expect(r.stderr.trim(), extra.join(' ')).toMatch(message);
    }
    // A flag equal to the stored setting is no conflict.
    expect(pcn(['train', '--resume', run, '--epochs', '2', '--lr-w', '0.0005', '--layers', '784,16,10']).status).toBe(0);
    const empty = join(dir, 'no-checkpoint');
    mkdirSync(empty);
    const r = pcn(['train', '--resume', empty]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: --resume: .*no-checkpoint holds no checkpoint\.safetensors, so there is nothing to resume/);
  });

  it('a resumed run whose metrics.jsonl is gone warns in one line which epochs the log and plots will lack, and keeps the rows it appends', () => {
    const run = join(dir, 'lost-log');
    expect(pcn([...base(tiny), '--epochs', '2', '--out', run]).status).toBe(0);
    rmSync(join(run, 'metrics.jsonl'));
    const log = join(run, 'metrics.jsonl');
    for (const [epochs, why] of [
      [3, ' (the file is missing)'],
      [4, ''],
    ] as const) {
      const r = pcn(['train', '--resume', run, '--epochs', String(epochs), '--json']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('warning: '))).toEqual([
        `warning: --resume: ${log} has no rows for epochs 1–2${why}, so the log and the plots will lack them.`,
      ]);
    }
    // The second resume kept epoch 3's row though the log does not start at epoch 1.
    expect(rows(log).map((row) => row.epoch)).toEqual([3, 4]);
  });

  it('a run whose data moved: resuming names the path the run recorded and says to pass --data with the new one', () => {
    const data = join(dir, 'data-before');
    writeTinyIdxDir(data);
    const run = join(dir, 'moved-data');
    expect(pcn([...base(data), '--epochs', '1', '--out', run]).status).toBe(0);
    const moved = join(dir, 'data-after');
    renameSync(data, moved);
    const r = pcn(['train', '--resume', run, '--epochs', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `error: --resume: the run in ${run} trained on the data in ${data}, the path its checkpoint records, which does not exist any more. If the data moved, pass its new folder: --data NEWPATH.\n`,
    );
    expect(pcn(['train', '--resume', run, '--epochs', '2', '--data', moved]).status).toBe(0);
  });

  it('a checkpoint whose stored settings are not valid flags is a data error naming the file', () => {
    const run = join(dir, 'tampered');
    expect(pcn([...base(tiny), '--epochs', '1', '--out', run]).status).toBe(0);
    const file = join(run, 'checkpoint.safetensors');
    // Same length, so the header stays the size it says: "leaky-relu" becomes "leaky-rel!".
    const bytes = readFileSync(file);
    const text = bytes.toString('latin1');
    const at = text.indexOf('\\"activation\\":\\"leaky-relu\\"', text.indexOf('"run"'));
    expect(at).toBeGreaterThan(0);
    bytes.write('leaky-rel!', at + '\\"activation\\":\\"'.length, 'latin1');
    writeFileSync(file, bytes);
    const r = pcn(['train', '--resume', run, '--epochs', '2']);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe(
      `error: ${file}: the stored setting activation = "leaky-rel!" is not a valid --activation. The file is corrupt; start the run afresh.`,
    );
  });
});
