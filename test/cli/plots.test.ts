/** The `pcn` plots (Vega-Lite → SVG) in the lab's chart style. */
import { describe, expect, it } from 'vitest';
import { CHART_STYLE as LAB_STYLE } from '../../lab/src/chart-style.ts';
import { CHART_STYLE } from '../../packages/pcn/src/chart-style.ts';
import { lineChartSvg } from '../../packages/pcn/src/plots.ts';

/** The tick labels of the axis whose aria-label starts with `axis` ('X-axis' or 'Y-axis'). */
function tickLabels(svg: string, axis: string): string[] {
  const start = svg.indexOf(`aria-label="${axis}`);
  const labels = svg.slice(start, svg.indexOf('role-axis-title', start));
  return [...labels.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
}

describe('pcn plots', () => {
  it('share the lab’s style: the same colours and axis titles', () => {
    expect(CHART_STYLE).toEqual(LAB_STYLE);
  });

  it('one accuracy line: whole-number epoch ticks, percent on a titled axis, the accuracy colour, no legend', async () => {
    const svg = await lineChartSvg(
      'Held-out accuracy',
      'epoch',
      CHART_STYLE.accuracyTitle,
      [
        { x: 1, y: 0.8 },
        { x: 2, y: 0.9 },
        { x: 3, y: 0.93 },
      ],
      { percent: true, colour: 'accuracy' },
    );
    expect(tickLabels(svg, 'X-axis')).toEqual(['1', '2', '3']);
    expect(svg).toContain(`Y-axis titled '${CHART_STYLE.accuracyTitle}' for a linear scale with values from 80 to 93`);
    expect(svg).toContain(`stroke="${CHART_STYLE.accuracy}"`);
    expect(svg).not.toContain('role-legend');
    expect(svg).toContain('>Held-out accuracy</text>');
  });

  it('energies on a log axis in the energy colour; several lines take the shared palette and a legend', async () => {
    const energy = await lineChartSvg(
      'Training energy',
      'epoch',
      CHART_STYLE.energyTitle,
      [
        { x: 1, y: 10 },
        { x: 2, y: 0.1 },
      ],
      { logY: true, colour: 'energy' },
    );
    expect(energy).toContain(`Y-axis titled '${CHART_STYLE.energyTitle}' for a log scale`);
    expect(energy).toContain(`stroke="${CHART_STYLE.energy}"`);
    expect(energy).toContain(`fill="${CHART_STYLE.energy}"`); // the points too
    const two = await lineChartSvg('Two', 'step', 'E', [
      { x: 0, y: 1, series: 'a' },
      { x: 1, y: 2, series: 'a' },
      { x: 0, y: 3, series: 'b' },
      { x: 1, y: 1, series: 'b' },
    ]);
    expect(two).toContain('role-legend');
    for (const colour of CHART_STYLE.lines.slice(0, 2)) expect(two).toContain(`stroke="${colour}"`);
    expect(tickLabels(two, 'X-axis')).toEqual(['0', '1']);
  });
});
