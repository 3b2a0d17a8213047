/** The metrics log a resumed run continues: only the epochs its checkpoint holds. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { flagOf, metricsUpTo } from '../../packages/pcn/src/run-state.ts';

describe('metricsUpTo', () => {
  it('keeps rows 1…epoch and drops a row logged after the checkpoint (a kill between the two) and a torn last line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcn-state-'));
    const row = (epoch: number) => `${JSON.stringify({ epoch, train_energy: 0.5 / epoch, test_acc: 0.1 * epoch, seconds: 1, lr: 0.001 })}\n`;
    writeFileSync(join(dir, 'metrics.jsonl'), `${row(1) + row(2) + row(3)}{"epoch":4,"train_`);
    expect(metricsUpTo(dir, 2).map((r) => r.epoch)).toEqual([1, 2]);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(row(1) + row(2));
  });

  it('leaves a log that holds exactly those rows untouched, byte for byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcn-state-'));
    const text =
      '{"epoch":1,"train_energy":0.5,"test_acc":0.1,"seconds":0.017,"lr":0.0005}\n{"epoch":2,"train_energy":0.4,"test_acc":0.2,"seconds":0.003,"lr":0.0005}\n';
    writeFileSync(join(dir, 'metrics.jsonl'), text);
    expect(metricsUpTo(dir, 2)).toHaveLength(2);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(text);
  });
});

describe('metricsUpTo with rows missing', () => {
  it('keeps the rows it has in increasing order up to the checkpoint, whatever is missing before them, and drops repeats', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pcn-state-'));
    const row = (epoch: number) => `${JSON.stringify({ epoch, train_energy: 0.5 / epoch, test_acc: 0.1 * epoch, seconds: 1, lr: 0.001 })}\n`;
    writeFileSync(join(dir, 'metrics.jsonl'), row(3) + row(5) + row(5) + row(4) + row(6));
    expect(metricsUpTo(dir, 5).map((r) => r.epoch)).toEqual([3, 5]);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe(row(3) + row(5));
  });
});

describe('flagOf', () => {
  it('names options as the command line spells them', () => {
    expect(['lrW', 'momentumX', 'layers', 'outputEnergy'].map(flagOf)).toEqual(['--lr-w', '--momentum-x', '--layers', '--output-energy']);
  });
});
