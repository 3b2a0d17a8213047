/**
 * File-system errors as user errors: Node's `{ code, syscall, path }` errors
 * turned into one-line PcErrors that name the path, say what is wrong there
 * and what to do. The file system is the user's environment, not our code, so
 * these exit 1, never "internal error".
 */
import { PcError } from '../errors.ts';

/**
 * What each code means for the path, what to do about it, and (third, where
 * it differs) what to do when the path was being read: the one table for
 * fsError (writing, creating) and read-file.ts's readError.
 */
const REASONS: Readonly<Record<string, readonly [what: string, todo: string, readTodo?: string]>> = {
  ENOENT: ['it, or a folder on the way to it, does not exist', 'Check the path.'],
  ENOTDIR: ['a part of the path that should be a folder is a file', 'Choose a path whose folders are folders.', 'Check the path.'],
  EISDIR: ['it is a folder, not a file', 'Name a file.'],
  EACCES: ['permission denied', 'Choose a place you may write to, or change its permissions.', 'Change its permissions or run as a user who may read it.'],
  EPERM: [
    'the operation is not permitted there',
    'Choose a place you may write to, or change its permissions.',
    'Change its permissions or run as a user who may read it.',
  ],
  EEXIST: ['it already exists', 'Choose another name, or remove it.'],
  ENOSPC: ['the disk is full', 'Free some space, or choose another disk.'],
  EDQUOT: ['the disk quota is exhausted', 'Free some space, or choose another disk.'],
  EROFS: ['the file system is read-only', 'Choose a writable place.'],
  ELOOP: ['too many levels of symbolic links (a link that points back at itself?)', 'Fix the links, or choose another path.', 'Fix the links.'],
  ENAMETOOLONG: ['the name is too long', 'Choose a shorter path.'],
  EMFILE: ['this process has too many files open', 'Raise the limit (ulimit -n) and retry.'],
  ENFILE: ['the system has too many files open', 'Close some programs and retry.'],
  EIO: ['an input/output error from the device', 'Check the disk.'],
  EBUSY: ['it is busy (in use by another program)', 'Retry when it is free.'],
  EXDEV: ['it is on another device', 'Keep the files on one file system.'],
  ETXTBSY: ['it is busy (in use by another program)', 'Retry when it is free.'],
  ENXIO: ['no such device (a socket or an unconnected device?)', 'Name a regular file.'],
  EAGAIN: ['it is not ready to be read (a pipe or device?)', 'Name a regular file.'],
};

/** What `code` means for a path and what to do, when `reading` it or otherwise; null for a code REASONS does not know. */
export function fsReason(code: string, reading: boolean): readonly [what: string, todo: string] | null {
  // Own keys only: 'constructor' or 'toString' is no file-system code.
  if (!Object.hasOwn(REASONS, code)) return null;
  const [what, todo, readTodo] = REASONS[code];
  return [what, (reading && readTodo) || todo];
}

/** Node's system error shape, as thrown by node:fs. */
export interface SystemError {
  readonly code: string;
  readonly syscall?: string;
  readonly path?: string;
}

/** True for an error from a file-system call whose code REASONS knows. */
export function isFsError(e: unknown): e is SystemError {
  return typeof e === 'object' && e !== null && typeof (e as SystemError).code === 'string' && fsReason((e as SystemError).code, false) !== null;
}

/**
 * `e` as a PcError('config') naming `path` (and `flag`, the option that chose
 * it, when given): `cannot write /x/y: a part of the path … (ENOTDIR). …`.
 * Anything that is not a known file-system error is returned unchanged.
 */
export function fsError(e: unknown, action: string, path: string, flag?: string): unknown {
  if (!isFsError(e)) return e;
  // mkdir -p says EEXIST when a folder on the way is a file: that is ENOTDIR's case, not "already exists".
  const [what, todo] = fsReason(e.code === 'EEXIST' && e.syscall === 'mkdir' ? 'ENOTDIR' : e.code, false)!;
  // Node names the path the failing call used: say it when it is a folder on the way, not `path` or a temporary file beside it.
  const at = e.path && !e.path.startsWith(path) ? ` (at ${e.path})` : '';
  return new PcError('config', `${flag ? `${flag}: ` : ''}cannot ${action} ${path}${at}: ${what} (${e.code}). ${todo}`);
}
