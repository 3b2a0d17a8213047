/** Training plots as SVG, drawn by Vega-Lite (no hand-made charts). */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface Series {
  readonly x: number;
  readonly y: number;
  readonly series?: string;
}

/** A line chart of y against x (one line per series), rendered to an SVG string. */
export async function lineChartSvg(
  title: string,
  xTitle: string,
  yTitle: string,
  points: readonly Series[],
  options: { logY?: boolean } = {},
): Promise<string> {
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 280,
    data: { values: points.map((p) => ({ x: p.x, y: p.y, series: p.series ?? yTitle })) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: options.logY ? { type: 'log' } : { zero: false } },
      color: { field: 'series', type: 'nominal', title: null },
    },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
