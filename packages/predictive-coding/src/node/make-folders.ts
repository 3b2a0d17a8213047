/**
 * `mkdir -p` that always ends. Node's own recursive mkdir loops forever where
 * a folder refuses new entries with ENOENT although it exists (/proc on Linux:
 * mkdirSync('/proc/x', { recursive: true }) never returns), so each missing
 * folder is made on its own, from the outermost down.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Creates `path` and any missing folders above it; returns the outermost one
 * it created (undefined: all existed), as mkdirSync(path, { recursive: true })
 * does. Throws node:fs's error (code, syscall, path) for a folder that cannot
 * be made; where the folder above exists but refuses it with ENOENT, the code
 * is 'EROFS' (the file system takes no new folders there), since "does not
 * exist" would point at the wrong cause.
 */
export function makeFolders(path: string): string | undefined {
  const missing: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    const found = kindAt(p);
    // A file on the way, no permission, a link loop: Node's own mkdir reports those at once (no loop), as it always has.
    if (found === 'file' || found === null) return mkdirSync(path, { recursive: true });
    if (found === 'folder') break;
    missing.push(p);
    if (dirname(p) === p) break;
  }
  missing.reverse();
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (code === 'EEXIST' && statSync(dir).isDirectory()) continue; // made by someone else meanwhile
      if (code === 'ENOENT' && kindAt(dirname(dir)) === 'folder')
        throw Object.assign(new Error(`EROFS: ${dirname(dir)} accepts no new folders, mkdir '${dir}'`), { code: 'EROFS', syscall: 'mkdir', path: dir });
      throw e;
    }
  }
  return missing[0];
}

/** What is at `p`: a folder, something else, nothing (ENOENT), or null for any other failure. */
function kindAt(p: string): 'folder' | 'file' | 'none' | null {
  try {
    return statSync(p).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    return (e as { code?: unknown }).code === 'ENOENT' ? 'none' : null;
  }
}
