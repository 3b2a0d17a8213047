/**
 * `pcn` started the way the README says, `npm run pcn -- …`: npm and the
 * shell sit between the terminal and the program, and npm passes SIGINT and
 * SIGTERM on to it, so a Ctrl-C reaches it twice (from the terminal and from
 * npm). It must still stop once, save, and exit with the signal's status.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTinyIdxDir } from '../data/fixtures.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'pcn-npm-'));
const tiny = join(dir, 'tiny');
beforeAll(() => writeTinyIdxDir(tiny));

interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `npm run pcn -- args…` in the repository, in a process group of its
 * own (as a shell runs a foreground job), and calls `interrupt` with npm's pid
 * once the first epoch has been logged.
 */
function npmRun(args: readonly string[], interrupt: (npmPid: number) => void): Promise<Ended> {
  const child = spawn('npm', ['run', 'pcn', '--', ...args], {
    cwd: root,
    detached: true,
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' },
  });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d) => {
    stdout += d;
    if (!sent && /^epoch 1\//m.test(stdout)) {
      sent = true;
      interrupt(child.pid!);
    }
  });
  child.stderr.on('data', (d) => (stderr += d));
  // A pcn that never heard the signal would run on (100,000 epochs): end the whole group, so the test fails instead of hanging.
  const deadline = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 40_000);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

const train = (out: string) => [
  'train',
  '--data',
  tiny,
  '--batch',
  '50',
  '--layers',
  '784,16,10',
  '--threads',
  '1',
  '--no-progress',
  '--epochs',
  '100000',
  '--out',
  out,
];

describe('npm run pcn -- train, stopped by a signal', () => {
  it('Ctrl-C (SIGINT to the whole process group, which npm passes on a second time) stops once, saves everything and exits 130', async () => {
    const out = join(dir, 'ctrl-c');
    const r = await npmRun(train(out), (pid) => process.kill(-pid, 'SIGINT'));
    expect(r.stderr).toContain('SIGINT: stopping after this batch and saving');
    for (const f of ['model.safetensors', 'checkpoint.safetensors', 'metrics.jsonl', 'energy.svg', 'accuracy.svg'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(r.stdout).toMatch(
      new RegExp(`^wrote ${join(out, 'model.safetensors')}, metrics\\.jsonl, checkpoint\\.safetensors, energy\\.svg, accuracy\\.svg$`, 'm'),
    );
    expect(r.stdout).toMatch(/^stopped by SIGINT during epoch \d+; pcn train --resume .* continues after epoch \d+$/m);
    expect(r.code, r.stderr).toBe(130);
  });

  it("SIGTERM to npm's pid (a process manager stopping it) reaches pcn, which saves everything and exits 143", async () => {
    const out = join(dir, 'term');
    const r = await npmRun(train(out), (pid) => process.kill(pid, 'SIGTERM'));
    expect(r.stderr).toContain('SIGTERM: stopping after this batch and saving');
    for (const f of ['model.safetensors', 'checkpoint.safetensors', 'metrics.jsonl', 'energy.svg', 'accuracy.svg'])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(r.stdout).toMatch(/^wrote .*model\.safetensors, metrics\.jsonl, checkpoint\.safetensors, energy\.svg, accuracy\.svg$/m);
    expect(r.code, r.stderr).toBe(143);
  });
});
