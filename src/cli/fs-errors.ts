/**
 * File-system errors as user errors: Node's `{ code, syscall, path }` errors
 * turned into one-line PcErrors that name the path, say what is wrong there
 * and what to do. The file system is the user's environment, not our code, so
 * these exit 1 (STYLE §5), never "internal error".
 */
import { PcError } from '../errors.ts';

/** What each code means for the path, and what to do about it. */
const REASONS: Readonly<Record<string, readonly [string, string]>> = {
  ENOENT: ['it, or a folder on the way to it, does not exist', 'Check the path.'],
  ENOTDIR: ['a part of the path that should be a folder is a file', 'Choose a path whose folders are folders.'],
  EISDIR: ['it is a folder, not a file', 'Name a file.'],
  EACCES: ['permission denied', 'Choose a place you may write to, or change its permissions.'],
  EPERM: ['the operation is not permitted there', 'Choose a place you may write to, or change its permissions.'],
  EEXIST: ['it already exists', 'Choose another name, or remove it.'],
  ENOSPC: ['the disk is full', 'Free some space, or choose another disk.'],
  EDQUOT: ['the disk quota is exhausted', 'Free some space, or choose another disk.'],
  EROFS: ['the file system is read-only', 'Choose a writable place.'],
  ELOOP: ['too many levels of symbolic links (a link that points back at itself?)', 'Fix the links, or choose another path.'],
  ENAMETOOLONG: ['the name is too long', 'Choose a shorter path.'],
  EMFILE: ['this process has too many files open', 'Raise the limit (ulimit -n) and retry.'],
  ENFILE: ['the system has too many files open', 'Close some programs and retry.'],
  EIO: ['an input/output error from the device', 'Check the disk.'],
  EBUSY: ['it is busy (in use by another program)', 'Retry when it is free.'],
  EXDEV: ['it is on another device', 'Keep the files on one file system.'],
  ETXTBSY: ['it is busy (in use by another program)', 'Retry when it is free.'],
};

/** Node's system error shape, as thrown by node:fs. */
interface SystemError {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
}

/** True for an error from a file-system call whose code REASONS knows. */
export function isFsError(e: unknown): e is SystemError {
  return typeof e === 'object' && e !== null && typeof (e as SystemError).code === 'string' && (e as SystemError).code in REASONS;
}

/**
 * `e` as a PcError('config') naming `path` (and `flag`, the option that chose
 * it, when given): `cannot write /x/y: a part of the path … (ENOTDIR). …`.
 * Anything that is not a known file-system error is returned unchanged.
 */
export function fsError(e: unknown, action: string, path: string, flag?: string): unknown {
  if (!isFsError(e)) return e;
  // mkdir -p says EEXIST when a folder on the way is a file: that is ENOTDIR's case, not "already exists".
  const [what, todo] = REASONS[e.code === 'EEXIST' && e.syscall === 'mkdir' ? 'ENOTDIR' : e.code];
  // Node names the path the failing call used: say it when it is a folder on the way, not `path` or a temporary file beside it.
  const at = e.path && !e.path.startsWith(path) ? ` (at ${e.path})` : '';
  return new PcError('config', `${flag ? `${flag}: ` : ''}cannot ${action} ${path}${at}: ${what} (${e.code}). ${todo}`);
}
