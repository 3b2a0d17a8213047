/** Usage errors: one line `error: …` on stderr, exit 1, naming what was wrong and pointing at the help of the command that was run. */
import { describe, expect, it } from 'vitest';
import { pcn } from './run.ts';

function usageError(args: string[]): string {
  const r = pcn(args);
  expect(r.status, args.join(' ')).toBe(1);
  expect(r.stdout, args.join(' ')).toBe('');
  const lines = r.stderr.split('\n');
  expect(lines, args.join(' ')).toHaveLength(2); // one line, then the final newline
  expect(lines[1]).toBe('');
  return lines[0];
}

describe('usage errors', () => {
  it("an unknown option is one line, with commander's suggestion on it and the command's own help named", () => {
    expect(usageError(['info', '--model', 'x.safetensors', '--jsn'])).toBe(
      "error: unknown option '--jsn' (Did you mean --json?) (run pcn info --help for usage)",
    );
  });

  it('a missing required option points at the help of the command that needs it', () => {
    expect(usageError(['eval'])).toBe("error: required option '--model <file>' not specified (run pcn eval --help for usage)");
    expect(usageError(['generate', '--model', 'g.safetensors'])).toBe(
      "error: required option '--out <file.png>' not specified (run pcn generate --help for usage)",
    );
  });

  it('every command, nested ones included, answers an unknown option in one line naming its own help', () => {
    // Each with its required arguments and options (a missing one is reported before an unknown one).
    for (const [path, args] of [
      ['train', []],
      ['eval', ['--model', 'm.safetensors']],
      ['info', ['--model', 'm.safetensors']],
      ['generate', ['--model', 'm.safetensors', '--out', 'x.png']],
      ['experiment', ['async']],
      ['compare', []],
      ['data download', ['mnist']],
    ] as const)
      expect(usageError([...path.split(' '), ...args, '--bogus'])).toBe(`error: unknown option '--bogus' (run pcn ${path} --help for usage)`);
  });

  it('a command that needs a subcommand, and pcn alone, say which ones there are in one line', () => {
    expect(usageError(['data'])).toBe('error: pcn data needs a subcommand: download (run pcn data --help for usage)');
    expect(usageError([])).toBe('error: pcn needs a command: train, eval, info, generate, experiment, compare, data (run pcn --help for usage)');
    expect(usageError(['data', 'bogus'])).toBe("error: unknown command 'bogus' (run pcn data --help for usage)");
  });

  it('a dataset name pcn cannot download is refused with the names it can', () => {
    expect(usageError(['data', 'download', 'kmnist'])).toBe(
      "error: command-argument value 'kmnist' is invalid for argument 'name'. expected one of mnist, fashion-mnist, cifar10. (run pcn data download --help for usage)",
    );
  });

  it('help and version still print to stdout and exit 0', () => {
    for (const args of [['--help'], ['train', '--help'], ['data', 'download', '--help'], ['help', 'data']]) {
      const r = pcn(args);
      expect(r.status, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/^Usage: pcn/);
    }
  });
});
