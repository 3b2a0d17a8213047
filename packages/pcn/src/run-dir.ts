/**
 * Output folders of runs. A default folder is runs/<prefix><time>, or
 * runs/<prefix><time>-2, -3 … when that name is taken: each is made with a
 * non-recursive mkdir, which fails if the folder exists, so two runs started
 * in the same second never share one. Commands create their folder only once
 * their inputs have been checked, and remove it again if they fail before
 * writing anything into it.
 */
import { mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PcError } from 'predictive-coding/errors';
import { fsError, makeFolders } from 'predictive-coding/node';

export interface RunDir {
  readonly path: string;
  /** Removes the folder (and the parents this run created) if nothing was written into it. */
  removeIfEmpty(): void;
}

/** A timestamp for folder names: 20261129-233348 (UTC). */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
}

export interface RunDirOptions {
  /** Starts the default folder's name (e.g. 'experiment-generative-'). */
  readonly prefix?: string;
  /** Where default folders go (default: runs/ in the working directory). */
  readonly base?: string;
  /** The time in the default name (default: now). */
  readonly now?: Date;
  /** The option that names the folder, for messages (default --out). */
  readonly flag?: string;
}

/**
 * Creates the run's output folder: `out` (the user's --out, which may exist
 * already and is then kept), or a new runs/<prefix><time>[-n] under the
 * working directory. File-system failures are PcErrors naming the path.
 */
export function createRunDir(out: string | undefined, options: RunDirOptions = {}): RunDir {
  const flag = options.flag ?? '--out';
  if (out !== undefined) return createGiven(resolve(out), flag);
  const base = resolve(options.base ?? 'runs');
  mkdir(base, true, flag);
  const name = join(base, `${options.prefix ?? ''}${timestamp(options.now)}`);
  for (let n = 1; ; n++) {
    const path = n === 1 ? name : `${name}-${n}`;
    try {
      mkdirSync(path);
    } catch (e) {
      if ((e as { code?: string }).code === 'EEXIST') continue;
      throw fsError(e, 'create the folder', path, flag);
    }
    // runs/ itself stays: another run may be about to create its folder in it.
    return runDir(path, path);
  }
}

function createGiven(path: string, flag: string): RunDir {
  let isDir: boolean | null = null;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    // Missing (or unreadable: mkdir below says why).
  }
  if (isDir === false) throw new PcError('config', `${flag}: ${path} is a file, not a folder. Choose a folder (it is created if missing).`);
  const first = mkdir(path, true, flag);
  return runDir(path, first ?? null);
}

function mkdir(path: string, recursive: boolean, flag: string): string | undefined {
  try {
    if (recursive) return makeFolders(path);
    mkdirSync(path);
    return undefined;
  } catch (e) {
    throw fsError(e, 'create the folder', path, flag);
  }
}

/** `top`: the outermost folder this run created (null: it created none), so removal never goes above it. */
function runDir(path: string, top: string | null): RunDir {
  return {
    path,
    removeIfEmpty() {
      if (top === null) return;
      for (let p = path; ; p = dirname(p)) {
        try {
          if (readdirSync(p).length > 0) return;
          rmdirSync(p);
        } catch {
          return; // Already gone or not ours to remove: nothing to clean up.
        }
        if (p === top || dirname(p) === p) return;
      }
    },
  };
}
