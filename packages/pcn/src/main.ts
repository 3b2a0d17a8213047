#!/usr/bin/env node
/**
 * The `pcn` command. User errors (bad flags, bad files, divergence) print
 * `error: <message>` and exit 1; anything else is a bug: exit 2, and
 * `--debug` shows the stack.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, type HelpContext } from 'commander';
import { PcError } from 'predictive-coding/errors';
import { fsError, isFsError } from 'predictive-coding/node';
import { registerCompare } from './commands/compare.ts';
import { registerData } from './commands/data.ts';
import { registerEval } from './commands/eval.ts';
import { registerExperiment } from './commands/experiment.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerInfo } from './commands/info.ts';
import { registerTrain } from './commands/train.ts';

/** The package's version, from its package.json: one folder up from both src/main.ts and dist/main.js. */
export function packageVersion(): string {
  const pkg: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = (pkg as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error('package.json has no version');
  return version;
}

export function buildProgram(): Command {
  const program = new Command('pcn')
    .description('predictive coding networks: train, evaluate and inspect them')
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--debug', 'show stack traces of errors')
    .exitOverride();
  registerTrain(program);
  registerEval(program);
  registerInfo(program);
  registerGenerate(program);
  registerExperiment(program);
  registerCompare(program);
  registerData(program);
  oneLineUsageErrors(program);
  return program;
}

/** `pcn data download` for the download command: what a user types to reach it. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/**
 * Makes every usage error of `command` and its subcommands one line on
 * stderr, exit 1: commander's own lines (a "Did you mean" hint goes on a
 * second one) are folded into one, which names the help of the command that
 * was run (the top-level help does not list a command's options). A command
 * that only groups subcommands, run without one, says which there are
 * instead of printing its whole help to stderr.
 */
function oneLineUsageErrors(command: Command): void {
  const path = commandPath(command);
  command.exitOverride().configureOutput({
    outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} (run ${path} --help for usage)\n`),
  });
  if (command.commands.length > 0) {
    const help = command.help.bind(command) as (context?: HelpContext) => never;
    // Commander calls help({ error: true }) only for a missing subcommand; plain help stays as it is.
    command.help = ((context?: HelpContext) => {
      if (context?.error)
        command.error(`error: ${path} needs a ${command.parent ? 'subcommand' : 'command'}: ${command.commands.map((c) => c.name()).join(', ')}`, {
          code: 'commander.missingSubcommand',
        });
      return help(context);
    }) as Command['help'];
  }
  for (const sub of command.commands) oneLineUsageErrors(sub);
}

export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1; // commander already printed its one-line message
    // A file-system error that no boundary turned into a PcError is still about the user's files (a folder
    // that is a file, no permission, a full disk), not a bug in pcn: name the path and exit 1, not 2.
    const user = e instanceof PcError ? e : isFsError(e) && typeof e.path === 'string' ? fsError(e, e.syscall ?? 'use', e.path) : null;
    if (user instanceof PcError) {
      process.stderr.write(`error: ${user.message}\n`);
      if (debug) process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      return 1;
    }
    process.stderr.write(`error: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.stderr.write(debug && e instanceof Error ? `${e.stack}\n` : 'This is a bug; rerun with --debug for the stack trace and report it.\n');
    return 2;
  }
}

// A reader that stops early (`pcn info … | head -1`) closes the pipe: like any Unix tool, stop quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2));
