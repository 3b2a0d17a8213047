/**
 * The charts' one style, the `pcn` plots' and the browser lab's alike
 * (lab/src/chart-style.ts holds the same values; a test compares them): the colour of an energy line, of an accuracy line, the colours of
 * several lines in one chart, and the axis titles with their units.
 */
export const CHART_STYLE = {
  energy: '#e63946',
  accuracy: '#457b9d',
  /** Several lines in one chart: Tableau 10, Vega's default categorical scheme. */
  lines: ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'],
  /** Accuracy is shown in percent. */
  accuracyTitle: 'accuracy (%)',
  /** Training energy is the batch mean of E per example. */
  energyTitle: 'E per example',
} as const;
