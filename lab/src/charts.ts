/**
 * The lab's line charts (uPlot), one style everywhere (the `pcn` plots share
 * it: chart-style.ts): a title, axis titles with units, whole-number ticks on
 * count axes (epochs, steps), a log axis for energies that fall by decades,
 * and no hover legend — one line needs none (the title says what it is), and
 * several get a legend of their names only (a legend of "Value: --" said
 * nothing).
 */
import uPlot from 'uplot';

export interface ChartLine {
  readonly label: string;
  readonly stroke: string;
}

export interface ChartSpec {
  readonly title: string;
  readonly x: { readonly label: string };
  readonly y: { readonly label: string; readonly log?: boolean };
  readonly lines: readonly ChartLine[];
  readonly width?: number;
  readonly height?: number;
  /** Fixed y range (e.g. [0, 100] for percent); default: fitted to the data. */
  readonly yRange?: readonly [number, number];
  /** The x range to show, read at every redraw (e.g. [1, epochs] of the run); default or null: fitted to the data. */
  readonly xRange?: () => readonly [number, number] | null;
  /** An x at which to draw a thin vertical rule (e.g. the step on show), or null for none; read at every redraw. */
  readonly marker?: () => number | null;
}

/** Smallest value a log axis shows: energies of exactly 0 are drawn there. */
export const LOG_FLOOR = 1e-12;

/** Whole-number tick steps for count axes (epochs, steps, batches). */
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/** A chart of `spec.lines` in `el`; feed it with setData([xs, ys…]) (ys clamped to LOG_FLOOR on a log axis by `point`). */
export function lineChart(el: HTMLElement, spec: ChartSpec, data: uPlot.AlignedData): uPlot {
  // uPlot draws axis titles on its canvas: the container names them too, for tests and assistive tools.
  // A log axis says so in its title (uPlot labels only its decades).
  const yLabel = spec.y.log ? `${spec.y.label} (log)` : spec.y.label;
  el.dataset.chartX = spec.x.label;
  el.dataset.chartY = yLabel;
  el.setAttribute('aria-label', `${spec.title}: ${yLabel} against ${spec.x.label}`);
  el.setAttribute('role', 'img');
  const marker = spec.marker;
  return new uPlot(
    {
      title: spec.title,
      width: spec.width ?? 320,
      height: spec.height ?? 200,
      // Several lines: a legend of their names, each marked by a swatch of its colour (not an empty box, which reads as a checkbox).
      legend: { show: spec.lines.length > 1, live: false, markers: { fill: (_u: uPlot, i: number) => spec.lines[i - 1]?.stroke ?? '' } },
      cursor: { show: false },
      scales: {
        x: { time: false, range: (_u: uPlot, min: number, max: number) => [...(spec.xRange?.() ?? [min, max])] as [number, number] },
        y: spec.y.log ? { distr: 3 } : spec.yRange ? { range: [...spec.yRange] as [number, number] } : {},
      },
      axes: [
        { label: spec.x.label, incrs: WHOLE },
        { label: yLabel, size: 56 },
      ],
      series: [{}, ...spec.lines.map((l) => ({ label: l.label, stroke: l.stroke, width: 2 }))],
      hooks: marker
        ? {
            draw: [
              (u: uPlot) => {
                const at = marker();
                if (at === null) return;
                const x = u.valToPos(at, 'x', true);
                const { ctx } = u;
                ctx.save();
                ctx.strokeStyle = '#888';
                ctx.lineWidth = 1;
                ctx.setLineDash([4, 3]);
                ctx.beginPath();
                ctx.moveTo(x, u.bbox.top);
                ctx.lineTo(x, u.bbox.top + u.bbox.height);
                ctx.stroke();
                ctx.restore();
              },
            ],
          }
        : {},
    },
    data,
    el,
  );
}

/** `y` as a log axis can show it. */
export function point(y: number): number {
  return Math.max(y, LOG_FLOOR);
}
