/** What every `pcn experiment` shares: data, a backend, an output folder, plots, and the one-JSON-line result. */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Backend } from '../../kernels/index.ts';
import { createBackend } from '../../kernels/index.ts';
import { loadData, type Split } from '../datasets.ts';
import { writeFileAtomic } from '../io.ts';
import { lineChartSvg, type Series, svgToPng } from '../plots.ts';

export interface ExperimentOptions {
  data: string;
  out?: string;
  json: boolean;
  seed: number;
  threads: number | 'auto';
  epochs?: number;
}

export interface Context {
  readonly data: Split;
  readonly backend: Backend;
  readonly out: string;
  readonly options: ExperimentOptions;
  /** A progress or figure line (stderr under --json, so stdout stays one JSON object). */
  log(line: string): void;
  /** Writes a Vega-Lite line chart as PNG (and SVG) into the output folder; returns the PNG path. */
  plot(name: string, title: string, xTitle: string, yTitle: string, points: readonly Series[], logY?: boolean): Promise<string>;
  file(name: string): string;
}

export async function openContext(name: string, options: ExperimentOptions): Promise<Context> {
  const out = resolve(options.out ?? join('runs', `experiment-${name}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-')}`));
  mkdirSync(out, { recursive: true });
  const data = await loadData(options.data);
  const backend = await createBackend('wasm', { threads: options.threads });
  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  return {
    data,
    backend,
    out,
    options,
    log,
    file: (f) => join(out, f),
    async plot(file, title, xTitle, yTitle, points, logY) {
      const svg = await lineChartSvg(title, xTitle, yTitle, points, { logY });
      writeFileAtomic(join(out, `${file}.svg`), svg);
      const png = join(out, `${file}.png`);
      writeFileAtomic(png, svgToPng(svg));
      return png;
    },
  };
}

/** Prints the experiment's result: a summary for people, or one JSON line last under --json. */
export function finish(ctx: Context, result: Record<string, unknown>, summary: string): void {
  writeFileAtomic(ctx.file('result.json'), `${JSON.stringify(result, null, 2)}\n`);
  if (ctx.options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(`${summary}\nwrote ${ctx.out}`);
}
