/**
 * Training plots drawn by Vega-Lite (no hand-made charts), as SVG or, through
 * resvg, PNG. Vega, Vega-Lite and resvg load on first use: together they take
 * about a second to load, which every `pcn` command would otherwise pay at
 * start, plotting or not.
 */
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';

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
