/**
 * Inside the classifier as it relaxes: every layer's activity x_l and error
 * eps_l at a chosen relaxation step (a slider, and a replay that plays the
 * steps in order), and each layer's energy ½‖eps_l‖² against the step. Shown
 * for the digit last drawn; hidden until there is one.
 */
import type uPlot from 'uplot';
import { CHART_STYLE } from './chart-style.ts';
import { lineChart, point } from './charts.ts';
import type { Classified, LayerTrace } from './engine.ts';

/** Logical canvas size (it scales down with its box). */
const W = 560;
const LABEL_W = 150;
const GAP = 36;
/** Cell size in logical pixels: a tile is at most this tall. */
const TILE_H = 84;

/** How a layer of `n` values is laid out as a tile: a square where n is one (28×28), else rows of up to 16. */
function grid(n: number): { cols: number; rows: number } {
  const side = Math.round(Math.sqrt(n));
  if (side * side === n) return { cols: side, rows: side };
  const cols = Math.min(n, 16);
  return { cols, rows: Math.ceil(n / cols) };
}

/** A tile's cell in logical pixels: tiles share the width beside the names (or all of it, names above), at most 14 CSS px. */
function cellSize(n: number, k: number, above: boolean): number {
  const { cols, rows } = grid(n);
  const width = above ? W / 2 - 12 : (W - LABEL_W - GAP) / 2;
  return Math.min(Math.floor(TILE_H / rows), Math.floor(width / cols), Math.floor(14 * k));
}

/** `name` with `l` as Unicode subscript digits (x₀, x₁₂). */
function sub(name: string, l: number): string {
  return name + [...String(l)].map((d) => String.fromCharCode(0x2080 + Number(d))).join('');
}

/** White at 0, red for positive and blue for negative values, by |v| / scale. */
function diverging(v: number, scale: number): string {
  const a = scale > 0 ? Math.min(1, Math.abs(v) / scale) : 0;
  const [r, g, b] = v >= 0 ? [214, 40, 40] : [29, 78, 137];
  const mix = (c: number) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

function grey(v: number, scale: number): string {
  const g = Math.round(255 * (scale > 0 ? Math.min(1, Math.max(0, v / scale)) : 0));
  return `rgb(${g}, ${g}, ${g})`;
}

function maxAbs(a: Float32Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

/** ½‖eps‖² of each step: T values. */
function energies(layer: LayerTrace, steps: number): number[] {
  const eps = layer.eps;
  if (!eps) return [];
  return Array.from({ length: steps }, (_, t) => {
    let s = 0;
    for (let i = t * layer.size; i < (t + 1) * layer.size; i++) s += eps[i] * eps[i];
    return 0.5 * s;
  });
}

export interface LayersView {
  /** Shows a new relaxation and replays it from step 1. */
  show(c: Classified): void;
}

/** Mounts the view in `root` (its hint shows until the first digit is drawn). */
export function mountLayersView(root: HTMLElement): LayersView {
  root.innerHTML = `
    <div class="explain-text">
      <p>The classifier's layers, in the order its predictions run: <strong>x₀</strong> is your drawing, clamped; the hidden layers
      between are free; the last layer has one neuron per digit and is free too. Each layer predicts the next,
      μ<sub>l</sub> = W<sub>l</sub>·f(x<sub>l−1</sub>) + b<sub>l</sub>, and its error is ε<sub>l</sub> = x<sub>l</sub> − μ<sub>l</sub>.</p>
      <p>Every free layer starts at zero, so the first errors are large. Each relaxation step moves every neuron to shrink its own
      error and the errors it causes in the next layer, until each layer sits on its prediction and the energy (the sum of
      ½ε² over all layers) is as low as it goes. The digit whose neuron ends highest is the answer.</p>
      <p class="hint" id="lv-hint">Draw a digit to watch its layers settle, step by step.</p>
    </div>
    <figure class="tile" id="lv-figure" data-testid="layers" hidden>
      <canvas id="lv-canvas" width="${W}" height="420"></canvas>
      <figcaption>Left: each layer's activity x (grey from 0 to its largest value for the image; red positive and blue negative
      elsewhere). Right: its error ε (red: above its prediction, blue: below). Each layer is scaled to its own largest value over
      the whole relaxation, so the errors fade as they drain.</figcaption>
      <div class="buttons"><button id="lv-replay" data-testid="layers-replay">Replay</button>
        <label>step <input type="range" id="lv-step" min="1" max="1" value="1" data-testid="layers-step" /></label>
        <output id="lv-step-value" class="counter"></output></div>
      <div id="lv-chart"></div>
    </figure>`;
  const $ = <E extends HTMLElement>(id: string) => root.querySelector<E>(`#${id}`)!;
  const canvas = $<HTMLCanvasElement>('lv-canvas');
  const slider = $<HTMLInputElement>('lv-step');
  let shown: Classified | null = null;
  // Each layer's colour scales over the whole relaxation, fixed for the relaxation shown (not redone per step painted).
  let scales: { nonNegative: boolean; x: number; eps: number }[] = [];
  let step = 1;
  let timer = 0;
  const chartData: number[][] = [[]];
  let chart: ReturnType<typeof lineChart> | null = null;

  function paint(): void {
    const c = shown;
    if (!c) return;
    const steps = c.frames.length;
    const ctx = canvas.getContext('2d')!;
    // Logical pixels per CSS pixel: text keeps its size on screen; where the canvas is drawn small (a phone), each
    // layer's name goes above its row instead of beside it.
    const k = Math.max(1, W / (canvas.getBoundingClientRect().width || W));
    const font = (px: number) => `${Math.round(px * k)}px system-ui, sans-serif`;
    const above = k > 1.2;
    const labelH = above ? Math.round(30 * k) : 0;
    const heights = c.layers.map((l) => grid(l.size).rows * cellSize(l.size, k, above));
    const rowGap = 30 + (c.layers.length ? Math.round(12 * k) - 12 : 0);
    const top = Math.round(26 * k);
    const height = top + heights.reduce((s, h) => s + labelH + h + rowGap, 0);
    if (canvas.height !== height) canvas.height = height;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, W, height);
    ctx.fillStyle = '#333';
    ctx.font = font(13);
    const colX = above ? [4, W / 2] : [LABEL_W, LABEL_W + (W - LABEL_W) / 2];
    ctx.fillText('activity x', colX[0], Math.round(16 * k));
    ctx.fillText('error ε = x − μ', colX[1], Math.round(16 * k));
    let y = top;
    const L = c.layers.length - 1;
    for (const [l, layer] of c.layers.entries()) {
      const { cols } = grid(layer.size);
      const cell = cellSize(layer.size, k, above);
      const [name, detail] = l === 0 ? ['image', 'clamped'] : l === L ? ['label', 'one per digit'] : ['hidden', 'free'];
      ctx.fillStyle = '#333';
      ctx.font = font(13);
      ctx.fillText(`${sub('x', l)}  ${name}`, 4, y + Math.round(12 * k));
      ctx.fillStyle = '#666';
      ctx.font = font(11);
      if (above) {
        ctx.fillText(`${layer.size} neurons, ${detail}`, W / 2, y + Math.round(12 * k));
        y += labelH;
      } else ctx.fillText(`${layer.size} neurons, ${detail}`, 4, y + 28);
      const at = (step - 1) * layer.size;
      const xs = layer.x.subarray(at, at + layer.size);
      const scale = scales[l];
      const tile = (values: Float32Array, x0: number, colour: (v: number) => string) => {
        for (let i = 0; i < values.length; i++) {
          ctx.fillStyle = colour(values[i]);
          ctx.fillRect(x0 + (i % cols) * cell, y + Math.floor(i / cols) * cell, cell, cell);
        }
        ctx.strokeStyle = '#bbb';
        ctx.strokeRect(x0 - 0.5, y - 0.5, cols * cell + 1, heights[l] + 1);
      };
      tile(xs, colX[0], (v) => (scale.nonNegative ? grey(v, scale.x) : diverging(v, scale.x)));
      if (layer.eps) {
        tile(layer.eps.subarray(at, at + layer.size), colX[1], (v) => diverging(v, scale.eps));
      } else {
        ctx.fillStyle = '#666';
        ctx.font = font(11);
        ctx.fillText('none: nothing predicts', colX[1], y + Math.round(12 * k));
        ctx.fillText('the input', colX[1], y + Math.round(27 * k));
      }
      if (l === L) {
        // The label layer: the digit under each neuron, the current winner framed.
        let best = 0;
        for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
        ctx.font = font(11);
        ctx.textAlign = 'center';
        for (let i = 0; i < layer.size; i++) {
          ctx.fillStyle = i === best ? '#d62828' : '#555';
          ctx.fillText(String(i), colX[0] + i * cell + cell / 2, y + heights[l] + Math.round(13 * k));
        }
        ctx.textAlign = 'start';
        ctx.strokeStyle = '#d62828';
        ctx.lineWidth = 2;
        ctx.strokeRect(colX[0] + best * cell, y, cell, cell);
        ctx.lineWidth = 1;
      }
      y += heights[l] + rowGap;
    }
    canvas.dataset.step = String(step);
    $('lv-step-value').textContent = `${step} of ${steps}`;
    slider.value = String(step);
    chart?.redraw(false);
  }

  function stop(): void {
    if (timer) clearInterval(timer);
    timer = 0;
  }

  function replay(): void {
    stop();
    step = 1;
    paint();
    const steps = shown?.frames.length ?? 1;
    // About two seconds for the whole relaxation, one step per frame-ish tick.
    timer = window.setInterval(() => {
      if (step >= steps) return stop();
      step++;
      paint();
    }, 2000 / steps);
  }

  // Text sizes follow the canvas's size on screen.
  window.addEventListener('resize', paint);
  slider.addEventListener('input', () => {
    stop();
    step = Number(slider.value);
    paint();
  });
  $('lv-replay').addEventListener('click', replay);

  return {
    show(c) {
      shown = c;
      scales = c.layers.map((layer) => ({ nonNegative: layer.x.every((v) => v >= 0), x: maxAbs(layer.x), eps: layer.eps ? maxAbs(layer.eps) : 0 }));
      const steps = c.frames.length;
      slider.max = String(steps);
      $('lv-hint').hidden = true;
      $('lv-figure').hidden = false;
      const per = c.layers.slice(1).map((l) => energies(l, steps));
      chartData.length = 0;
      chartData.push(
        Array.from({ length: steps }, (_, t) => t + 1),
        ...per.map((e) => e.map(point)),
      );
      // What the tests read: each layer's energy after the first and the last step.
      canvas.dataset.energyFirst = JSON.stringify(per.map((e) => e[0]));
      canvas.dataset.energyLast = JSON.stringify(per.map((e) => e[steps - 1]));
      if (!chart) {
        const L = c.layers.length - 1;
        chart = lineChart(
          $('lv-chart'),
          {
            title: 'Energy of each layer',
            x: { label: 'relaxation step' },
            y: { label: '½‖ε‖²', log: true },
            lines: per.map((_, k) => ({
              label: `${sub('ε', k + 1)}${k + 1 === L ? ' (label)' : ''}`,
              stroke: CHART_STYLE.lines[k % CHART_STYLE.lines.length],
            })),
            width: 340,
            height: 200,
            marker: () => (shown ? step : null),
          },
          chartData as uPlot.AlignedData,
        );
      } else chart.setData(chartData as uPlot.AlignedData);
      replay();
    },
  };
}
