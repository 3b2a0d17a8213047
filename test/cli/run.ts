import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = join(root, 'packages/pcn/src/main.ts');
/** Where the CLI runs unless a test says otherwise: a temporary folder, so that a default output (runs/…) never lands in the repository. */
export const scratchCwd = mkdtempSync(join(tmpdir(), 'pcn-cwd-'));
// tsx's loader by absolute URL, so that the CLI runs from any working directory (`--import tsx` resolves from the cwd).
const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
const tsx = pathToFileURL(join(dirname(tsxPackage), (JSON.parse(readFileSync(tsxPackage, 'utf8')) as { exports: { '.': string } }).exports['.'])).href;

/** The node arguments that run `pcn args…` from the sources. */
export function pcnArgs(args: readonly string[]): string[] {
  // The condition resolves the library's package name to its TypeScript sources (packages/predictive-coding/package.json).
  return ['--conditions=predictive-coding-source', '--import', tsx, main, ...args];
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `pcn args…` from the sources as a child process, in `cwd` (default: scratchCwd). */
export function pcn(args: string[], timeout = 120_000, cwd = scratchCwd): Run {
  const r = spawnSync(process.execPath, pcnArgs(args), { cwd, encoding: 'utf8', timeout });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As pcn(), without blocking this process's event loop (needed when this process also serves HTTP). */
export function pcnAsync(args: string[], timeout = 120_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, pcnArgs(args), { cwd: scratchCwd, timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
