/**
 * Throws about 200 hostile files (issue 10, item 6: crafted checkpoints, IDX
 * sets and PNGs, several per kind) at the real CLI — pcn info, eval, train
 * and generate, each in its own process — and checks that every one is a
 * user error: exit code 1, a one-line message that names the file, under
 * 600 MB of memory and 30 s. A few valid controls must load (exit 0).
 *
 *   npx tsx scripts/hostile-files.ts [--json] [--keep] [--jobs N] [--filter TEXT]
 *
 * --filter runs only the cases whose kind or name contains TEXT.
 *
 * Exits 1 if any case fails. Peak memory is /usr/bin/time's maximum resident
 * set size when it exists, else the process's own maxRSS, written at exit.
 * Not part of npm test: it takes about 7 minutes on 2 cores (test/cli/hostile.test.ts runs
 * one of each kind).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCases } from './hostile-cases.ts';
import type { Case } from './hostile-context.ts';

const LIMIT_MB = 600;
const LIMIT_S = 30;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const keep = args.includes('--keep');
const flagValue = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const jobs = Number(flagValue('--jobs') ?? 2) || 2;
const filter = flagValue('--filter');
const TIME = '/usr/bin/time';

interface Result {
  readonly kind: string;
  readonly name: string;
  readonly command: string;
  readonly exit: number | null;
  readonly message: string;
  readonly lines: number;
  readonly rssMB: number;
  readonly seconds: number;
  readonly problems: readonly string[];
}

/** Runs one case in its own process, with its peak memory and wall time. */
function run(c: Case, dir: string, index: number): Promise<Result> {
  const stat = join(dir, `stat-${index}`);
  const node = [process.execPath, '--conditions=predictive-coding-source', '--import', 'tsx'];
  const useTime = existsSync(TIME);
  // Without /usr/bin/time, a preloaded module writes the process's own maxRSS (KiB) at exit.
  const preload = join(dir, 'rss.mjs');
  if (!useTime && !existsSync(preload))
    writeFileSync(
      preload,
      [
        "import { writeFileSync } from 'node:fs';",
        "process.on('exit', () => writeFileSync(process.env.PCN_RSS_FILE, String(process.resourceUsage().maxRSS)));",
        '',
      ].join('\n'),
    );
  const argv = useTime
    ? [TIME, '-f', '%M %e', '-o', stat, ...node, 'packages/pcn/src/main.ts', ...c.args]
    : [...node, '--import', preload, 'packages/pcn/src/main.ts', ...c.args];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd: root, env: { ...process.env, PCN_RSS_FILE: stat }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), (LIMIT_S + 10) * 1000);
    child.on('close', (exit) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const [kib] = existsSync(stat) ? readFileSync(stat, 'utf8').trim().split(/\s+/).slice(-2).map(Number) : [Number.NaN];
      const rssMB = kib / 1024;
      // /usr/bin/time reports a signal or a non-zero status on its own lines; keep only pcn's.
      const lines = stderr.split('\n').filter((l) => l.length > 0 && !l.startsWith('Command exited with') && !l.startsWith('Command terminated'));
      const message = lines[0] ?? '';
      const problems: string[] = [];
      if (exit !== c.expect) problems.push(`exit ${exit}, expected ${c.expect}`);
      if (c.expect === 1) {
        if (lines.length !== 1) problems.push(`${lines.length} lines on stderr`);
        if (!message.startsWith('error: ')) problems.push('no "error: " prefix');
        for (const p of c.names) if (!message.includes(p)) problems.push(`message does not name ${p}`);
        if (/internal error|\n\s+at /.test(stderr)) problems.push('internal error or stack trace');
      }
      if (!(rssMB <= LIMIT_MB)) problems.push(`${rssMB.toFixed(0)} MB > ${LIMIT_MB} MB`);
      if (seconds > LIMIT_S) problems.push(`${seconds.toFixed(1)} s > ${LIMIT_S} s`);
      resolve({ kind: c.kind, name: c.name, command: `pcn ${c.args.join(' ')}`, exit, message, lines: lines.length, rssMB, seconds, problems });
    });
  });
}

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'pcn-hostile-files-'));
  const log = (s: string) => (json ? process.stderr : process.stdout).write(`${s}\n`);
  try {
    log(`writing hostile files into ${dir} …`);
    const cases = (await writeCases(dir)).filter((c) => !filter || c.kind.includes(filter) || c.name.includes(filter));
    log(`running ${cases.length} cases, ${jobs} at a time …`);
    const results: Result[] = new Array(cases.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < cases.length; i = next++) {
        results[i] = await run(cases[i], dir, i);
        const r = results[i];
        if (!json)
          log(
            `${r.problems.length ? 'FAIL' : 'ok  '} ${r.kind.padEnd(30)} ${r.name.slice(0, 58).padEnd(58)} exit ${r.exit} ${r.rssMB.toFixed(0).padStart(4)} MB ${r.seconds.toFixed(1).padStart(5)} s  ${r.message.slice(0, 150)}${r.problems.length ? `\n     → ${r.problems.join('; ')}` : ''}`,
          );
      }
    };
    await Promise.all(Array.from({ length: jobs }, worker));
    const kinds = [...new Set(results.map((r) => r.kind))].map((kind) => {
      const rs = results.filter((r) => r.kind === kind);
      return {
        kind,
        cases: rs.length,
        failed: rs.filter((r) => r.problems.length).length,
        exits: [...new Set(rs.map((r) => r.exit))],
        maxRssMB: Math.round(Math.max(...rs.map((r) => r.rssMB))),
        maxSeconds: Math.round(10 * Math.max(...rs.map((r) => r.seconds))) / 10,
      };
    });
    const failed = results.filter((r) => r.problems.length);
    if (json) process.stdout.write(`${JSON.stringify({ limits: { rssMB: LIMIT_MB, seconds: LIMIT_S }, kinds, results })}\n`);
    else {
      log('\nkind                            cases  failed  exit codes  max MB  max s');
      for (const k of kinds)
        log(
          `${k.kind.padEnd(32)}${String(k.cases).padStart(5)}${String(k.failed).padStart(8)}  ${k.exits.join(',').padEnd(10)}${String(k.maxRssMB).padStart(8)}${String(k.maxSeconds).padStart(7)}`,
        );
      log(`\n${results.length} cases, ${failed.length} failed (limits: exit 1 and one line naming the file; ${LIMIT_MB} MB; ${LIMIT_S} s)`);
    }
    return failed.length ? 1 : 0;
  } finally {
    if (keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
