/** Run folders and file-system errors, in process (the CLI tests check the same through `pcn`). */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendFileDurable, writeFileAtomic } from '../../packages/pcn/src/io.ts';
import { createRunDir } from '../../packages/pcn/src/run-dir.ts';
import { PcError } from '../../packages/predictive-coding/src/errors.ts';
import { fsError, makeFolders } from '../../packages/predictive-coding/src/node/index.ts';
import { catchPcError } from '../helpers/errors.ts';
import { pcn } from './run.ts';

const dir = mkdtempSync(join(tmpdir(), 'pcn-rundir-'));

describe('makeFolders (mkdir -p that always ends)', () => {
  it('creates the missing folders and returns the outermost, like mkdirSync recursive', () => {
    const top = join(dir, 'mk', 'a');
    expect(makeFolders(join(top, 'b', 'c'))).toBe(join(dir, 'mk'));
    expect(existsSync(join(top, 'b', 'c'))).toBe(true);
    expect(makeFolders(join(top, 'b'))).toBeUndefined();
    // A file on the way is Node's own error at once (ENOTDIR, or EEXIST for the file itself), as mkdirSync recursive reports it.
    const file = join(dir, 'mk', 'file');
    writeFileSync(file, '');
    for (const under of [join(file, 'x', 'y'), join(file, 'x')]) {
      const error = (() => {
        try {
          makeFolders(under);
        } catch (e) {
          return e as { code?: string };
        }
      })();
      expect(['ENOTDIR', 'EEXIST']).toContain(error?.code);
    }
  });

  // Node's recursive mkdir loops forever there: /proc exists but answers ENOENT for a new folder.
  it.runIf(existsSync('/proc/self'))('ends with EROFS under /proc, in process and through pcn --out', () => {
    expect(() => makeFolders('/proc/pcn-test/x')).toThrow(expect.objectContaining({ code: 'EROFS' }));
    const r = pcn(['train', '--out', '/proc/pcn-test/x', '--epochs', '1', '--no-progress'], 30_000);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'error: --out: cannot create the folder /proc/pcn-test/x (at /proc/pcn-test): the file system is read-only (EROFS). Choose a writable place.\n',
    );
  });
});

describe('run folders', () => {
  it('runs started in the same second get different folders: <time>, <time>-2, <time>-3', () => {
    const base = join(dir, 'same-second', 'runs');
    const now = new Date('2026-11-29T23:33:48.123Z');
    const paths = [1, 2, 3].map(() => createRunDir(undefined, { base, now }).path);
    expect(paths).toEqual([join(base, '20261129-233348'), join(base, '20261129-233348-2'), join(base, '20261129-233348-3')]);
    expect(readdirSync(base).sort()).toEqual(['20261129-233348', '20261129-233348-2', '20261129-233348-3']);
  });

  it('a folder left empty is removed with the parents the run created, and never a folder that existed before', () => {
    const mine = createRunDir(join(dir, 'new', 'a', 'b'));
    mine.removeIfEmpty();
    expect(existsSync(join(dir, 'new'))).toBe(false);
    const kept = join(dir, 'existing');
    mkdirSync(kept);
    createRunDir(kept).removeIfEmpty();
    expect(existsSync(kept)).toBe(true);
    const used = createRunDir(join(dir, 'used'));
    writeFileSync(join(used.path, 'metrics.jsonl'), '');
    used.removeIfEmpty();
    expect(existsSync(join(used.path, 'metrics.jsonl'))).toBe(true);
  });

  it('an --out that is a file, or sits under one, is a config error naming the path', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    expect(catchPcError(() => createRunDir(file), 'config').message).toBe(
      `--out: ${file} is a file, not a folder. Choose a folder (it is created if missing).`,
    );
    const under = join(file, 'run');
    expect(catchPcError(() => createRunDir(under), 'config').message).toMatch(new RegExp(`^--out: cannot create the folder ${under}.*\\((ENOTDIR|EEXIST)\\)`));
  });
});

describe('file-system errors on writing', () => {
  it('writeFileAtomic under a file is a one-line config error naming the path, and leaves no temporary file', () => {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    const target = join(file, 'model.safetensors');
    const e = catchPcError(() => writeFileAtomic(target, 'data', '--out'), 'config');
    expect(e.message).toMatch(new RegExp(`^--out: cannot write ${target}.*\\((ENOTDIR|EEXIST)\\)\\. `));
    expect(e.message).not.toContain('\n');
    const folder = join(dir, 'is-a-folder');
    mkdirSync(folder);
    expect(catchPcError(() => writeFileAtomic(folder, 'data'), 'config').message).toMatch(/\(EISDIR\)/);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(catchPcError(() => appendFileDurable(folder, 'row\n'), 'config').message).toContain(`cannot write ${folder}`);
  });

  it('each file-system code gets its own reason and advice; other errors pass through unchanged', () => {
    // Synthetic errors: a test run as root can write into read-only folders, and a full disk cannot be made on demand.
    const codes = ['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'EEXIST', 'ENOSPC', 'EROFS', 'ELOOP', 'ENAMETOOLONG', 'EMFILE'];
    const messages = codes.map((code) => {
      const e = fsError(Object.assign(new Error('raw'), { code, syscall: 'open', path: '/x/y' }), 'write', '/x/y', '--out');
      expect(e).toBeInstanceOf(PcError);
      const m = (e as PcError).message;
      expect(m).toMatch(new RegExp(`^--out: cannot write /x/y: .+ \\(${code}\\)\\. .+`));
      return m;
    });
    expect(new Set(messages.map((m) => m.split(': ')[2])).size).toBe(codes.length);
    expect((fsError(Object.assign(new Error('raw'), { code: 'ENOSPC', path: '/x' }), 'write', '/x/y') as PcError).message).toContain('(at /x)');
    const other = new TypeError('not fs');
    expect(fsError(other, 'write', '/x')).toBe(other);
    expect(fsError(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' }), 'write', '/x')).not.toBeInstanceOf(PcError);
  });
});
