/** What every `pcn experiment` shares: data, a backend, an output folder, plots, and the one-JSON-line result. */
import { join } from 'node:path';
import type { Split } from 'predictive-coding/data';
import type { Backend } from 'predictive-coding/kernels';
import { createBackend } from 'predictive-coding/kernels';
import { loadDataset } from 'predictive-coding/node';
import { writeFileAtomic } from '../io.ts';
import { lineChartSvg, type PlotOptions, type Series, svgToPng } from '../plots.ts';
import { createRunDir } from '../run-dir.ts';

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
  /** The output folder, created on first use. */
  readonly out: string;
  readonly options: ExperimentOptions;
  /** A progress or figure line (stderr under --json, so stdout stays one JSON object). */
  log(line: string): void;
  /** Writes a Vega-Lite line chart as PNG (and SVG) into the output folder; returns the PNG path. */
  plot(name: string, title: string, xTitle: string, yTitle: string, points: readonly Series[], options?: PlotOptions): Promise<string>;
  /** The path of `name` in the output folder (creating the folder on first use). */
  file(name: string): string;
}

/**
 * Loads the data and starts the backend. The output folder (--out, or a new
 * runs/experiment-<name>-<time>[-n]) is made when the first file is written:
 * an experiment that fails or is stopped before then leaves no empty folder.
 * Experiments save nothing partial on a signal (figures of a cut-short run
 * would mislead): SIGINT, SIGTERM and SIGHUP end them at once.
 */
export async function openContext(name: string, options: ExperimentOptions): Promise<Context> {
  const data = await loadDataset(options.data, '--data');
  const backend = await createBackend('wasm', { threads: options.threads });
  const log = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  let out: string | undefined;
  const folder = () => {
    out ??= createRunDir(options.out, { prefix: `experiment-${name}-` }).path;
    return out;
  };
  const file = (f: string) => join(folder(), f);
  return {
    data,
    backend,
    get out() {
      return folder();
    },
    options,
    log,
    file,
    async plot(name, title, xTitle, yTitle, points, options) {
      const svg = await lineChartSvg(title, xTitle, yTitle, points, options);
      writeFileAtomic(file(`${name}.svg`), svg, '--out');
      const png = file(`${name}.png`);
      writeFileAtomic(png, svgToPng(svg), '--out');
      return png;
    },
  };
}

/** Prints the experiment's result: a summary for people, or one JSON line last under --json. */
export function finish(ctx: Context, result: Record<string, unknown>, summary: string): void {
  writeFileAtomic(ctx.file('result.json'), `${JSON.stringify(result, null, 2)}\n`, '--out');
  if (ctx.options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else console.log(`${summary}\nwrote ${ctx.out}`);
}
