/**
 * The lab's line charts (uPlot), one style everywhere: a title, axis titles
 * with units, whole-number ticks on count axes (epochs, steps), a log axis for
 * energies that fall by decades, and no hover legend (the title says what the
 * line is; a legend of "Value: --" said nothing).
 */
import uPlot from 'uplot';

export interface ChartSpec {
  readonly title: string;
  readonly x: { readonly label: string };
  readonly y: { readonly label: string; readonly log?: boolean };
  readonly stroke: string;
  readonly width?: number;
  readonly height?: number;
}

/** Smallest value a log axis shows: energies of exactly 0 are drawn there. */
export const LOG_FLOOR = 1e-12;

/** Whole-number tick steps for count axes (epochs, steps, batches). */
const WHOLE = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000];

/** A chart of one line in `el`; feed it with setData([xs, ys]) (ys clamped to LOG_FLOOR on a log axis by `point`). */
export function lineChart(el: HTMLElement, spec: ChartSpec, data: [number[], number[]]): uPlot {
  // uPlot draws axis titles on its canvas: the container names them too, for tests and assistive tools.
  el.dataset.chartX = spec.x.label;
  el.dataset.chartY = spec.y.label;
  el.setAttribute('aria-label', `${spec.title}: ${spec.y.label} against ${spec.x.label}`);
  el.setAttribute('role', 'img');
  return new uPlot(
    {
      title: spec.title,
      width: spec.width ?? 320,
      height: spec.height ?? 160,
      legend: { show: false },
      scales: { x: { time: false }, y: spec.y.log ? { distr: 3 } : {} },
      axes: [
        { label: spec.x.label, incrs: WHOLE },
        { label: spec.y.label, size: 56 },
      ],
      series: [{}, { label: spec.y.label, stroke: spec.stroke, width: 2 }],
    },
    data,
    el,
  );
}

/** `y` as a log axis can show it. */
export function point(y: number): number {
  return Math.max(y, LOG_FLOOR);
}
