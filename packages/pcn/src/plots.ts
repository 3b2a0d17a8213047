/**
 * Training plots drawn by Vega-Lite (no hand-made charts), as SVG or, through
 * resvg, PNG. Vega, Vega-Lite and resvg load on first use: together they take
 * about a second to load, which every `pcn` command would otherwise pay at
 * start, plotting or not.
 */
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { CHART_STYLE } from './chart-style.ts';

export interface Series {
  readonly x: number;
  readonly y: number;
  readonly series?: string;
}

/** How a plot shows its y values: on a log axis (energies falling by decades), as percent (fractions given), in which colour (one line). */
export interface PlotOptions {
  readonly logY?: boolean;
  /** The y values are fractions, shown in percent. */
  readonly percent?: boolean;
  /** One line's colour by what it shows (several lines take CHART_STYLE.lines). */
  readonly colour?: 'energy' | 'accuracy';
}

/**
 * A line chart of y against x (one line per series), rendered to an SVG
 * string, in the lab's style (chart-style.ts): a title, axis titles, whole-number
 * ticks on x (every `pcn` plot's x is a count: epochs, steps, layers, tasks,
 * examples), a legend only where there are several lines.
 */
export async function lineChartSvg(title: string, xTitle: string, yTitle: string, points: readonly Series[], options: PlotOptions = {}): Promise<string> {
  const names = new Set(points.map((p) => p.series ?? yTitle));
  const scale = options.percent ? 100 : 1;
  const one = CHART_STYLE[options.colour ?? 'accuracy'];
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 480,
    height: 280,
    data: { values: points.map((p) => ({ x: p.x, y: p.y * scale, series: p.series ?? yTitle })) },
    // One line: its colour for the line and its points alike (a point left to the default would be blue on a red line).
    mark: names.size === 1 ? { type: 'line', color: one, point: { color: one } } : { type: 'line', point: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xTitle, axis: { tickMinStep: 1, format: 'd' } },
      y: { field: 'y', type: 'quantitative', title: yTitle, scale: options.logY ? { type: 'log' } : { zero: false } },
      ...(names.size > 1
        ? { color: { field: 'series', type: 'nominal', title: null, scale: { range: [...CHART_STYLE.lines] }, legend: { labelLimit: 0 } } }
        : {}),
    },
  };
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** Renders an SVG to PNG with resvg and the DejaVu Sans font shipped as an npm package (stable output, no system fonts). */
export function svgToPng(svg: string, scale = 2): Uint8Array {
  const require = createRequire(import.meta.url);
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const font = require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { fontFiles: [font], loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}
