/**
 * The hostile files of scripts/hostile-files.ts, by kind (issue 10, item 6),
 * written into `dir`, each with the pcn command that reads it and the paths
 * its error message must name. Controls are valid inputs that must load.
 *
 * The kinds live in their own files: hostile-checkpoint-cases.ts (forged
 * checkpoints), hostile-size-cases.ts (bombs and giants) and
 * hostile-input-cases.ts (file system, IDX, PNG, terminal text, conflicts,
 * naming, controls). They run in this order, which numbers the files.
 */

import { writeCheckpointCases } from './hostile-checkpoint-cases.ts';
import { type Case, initCaseContext } from './hostile-context.ts';
import { writeInputCases } from './hostile-input-cases.ts';
import { writeSizeCases } from './hostile-size-cases.ts';

/** Writes every case's files into `dir` and returns the cases. */
export async function writeCases(dir: string): Promise<Case[]> {
  const ctx = initCaseContext(dir);
  writeCheckpointCases(ctx);
  await writeSizeCases(ctx);
  writeInputCases(ctx);
  return ctx.cases;
}
