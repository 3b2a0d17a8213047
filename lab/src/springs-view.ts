/**
 * The lecture's mechanical picture, drawn live: each neuron is a node sliding
 * on a pole (its value x), its prediction is a platform on the same pole set
 * by the layer above through rods (the weights), and the error is a spring
 * between node and platform whose tension (ε²) colours and thickens it.
 * Click a node to clamp or release it, drag a node to move it (and clamp it),
 * click a rod to select its weight and set it with the slider.
 */
import { CHART_STYLE } from './chart-style.ts';
import { lineChart, point } from './charts.ts';
import { SIZES, SpringsNetwork } from './springs-model.ts';

const W = 640;
const H = 420;
const POLE = 110; // pixels from value −2 to 2
const RANGE = 2;
/** Left margin holding the layer names (written upwards). */
const MARGIN = 34;
/** Sizes in CSS pixels, whatever the canvas is scaled to: text, and how near a touch must come to a node to grab it. */
const TEXT_PX = 12;
const GRAB_PX = 20;

interface Selection {
  l: number;
  i: number;
  j: number;
}

export function mountSprings(root: HTMLElement): void {
  const net = new SpringsNetwork(1);
  root.innerHTML = `
    <h2>Springs: a network relaxing</h2>
    <p class="hint">Nodes slide on poles (their activity); platforms are the predictions from the layer above, carried by the rods (weights);
    springs are the errors — the redder and thicker, the more energy; rods are blue for a positive weight, orange for a negative one.
    Click or tap a node to clamp (●) or release (○) it; drag a node to move it; click or tap a rod to pick its weight.</p>
    <details class="explain" open>
      <summary>What is relaxing here</summary>
      <p><strong>Energy.</strong> Each layer predicts the one below: the platform under a node is μ = W·f(x_above) + b. The spring between
      a node and its platform is the prediction error ε = x − μ, and the energy is E = Σ ½ε², summed over every spring of every layer —
      the number in the chart.</p>
      <p><strong>Cause and senses.</strong> This is a generative network: the top layer is the cause (what the network believes
      produced the input), and predictions run down from it to the bottom layer, the senses.</p>
      <p><strong>Clamped and free.</strong> The bottom layer is the senses: its nodes are clamped (●) to an input pattern, held where they
      are. Every other node is free (○) and slides down the energy: pulled toward its own platform, and pushed to predict the layer below
      better. Each node uses only its own spring and the springs it holds up — no global controller. Relaxation is those small moves
      repeated until the springs settle.</p>
      <p><strong>Learning.</strong> With learning on, every rod (weight) also moves at each step, by a Hebbian rule: the error of the node
      below times the activity of the node above. The network then comes to predict the clamped pattern, and the energy it settles at falls.</p>
    </details>
    <div class="row">
      <canvas id="springs-canvas" width="${W}" height="${H}"></canvas>
      <div class="side">
        <div class="buttons">
          <button id="springs-play" class="fixed-width" data-testid="springs-play">Play</button>
          <button id="springs-step">Step</button>
          <button id="springs-reset">Reset</button>
          <label><input type="checkbox" id="springs-learn" /> learning (weights move too)</label>
        </div>
        <p>Energy <strong id="springs-energy" data-testid="springs-energy"></strong> after <span id="springs-steps">0</span> steps</p>
        <div id="springs-chart"></div>
        <div id="springs-weight" hidden>
          <label>weight <span id="springs-weight-name"></span>
            <input type="range" id="springs-weight-slider" min="-3" max="3" step="0.01" /></label>
          <output id="springs-weight-value"></output>
        </div>
      </div>
    </div>`;
  const canvas = root.querySelector<HTMLCanvasElement>('#springs-canvas')!;
  const ctx = canvas.getContext('2d')!;
  const energyEl = root.querySelector<HTMLElement>('#springs-energy')!;
  const stepsEl = root.querySelector<HTMLElement>('#springs-steps')!;
  const playBtn = root.querySelector<HTMLButtonElement>('#springs-play')!;
  const weightBox = root.querySelector<HTMLElement>('#springs-weight')!;
  const slider = root.querySelector<HTMLInputElement>('#springs-weight-slider')!;
  const trace: [number[], number[]] = [[], []];
  const chart = lineChart(
    root.querySelector<HTMLElement>('#springs-chart')!,
    {
      title: 'Energy while relaxing',
      x: { label: 'relaxation step' },
      y: { label: 'E = Σ ½ε²', log: true },
      lines: [{ label: 'E', stroke: CHART_STYLE.energy }],
      width: 300,
    },
    trace,
  );
  let playing = false;
  let seed = 1;
  let selected: Selection | null = null;
  let dragging: { l: number; i: number } | null = null;

  const px = (l: number, i: number) => MARGIN + ((i + 1) * (W - MARGIN)) / (SIZES[l] + 1);
  // Logical canvas pixels per CSS pixel: about 1 on a desktop, about 2 on a phone, where the canvas is drawn smaller.
  const scale = () => {
    const shown = canvas.getBoundingClientRect().width;
    return shown > 0 ? Math.max(1, W / shown) : 1;
  };
  const rowY = (l: number) => 70 + l * ((H - 140) / (SIZES.length - 1));
  const valueY = (l: number, v: number) => rowY(l) - (Math.max(-RANGE, Math.min(RANGE, v)) / RANGE) * (POLE / 2);

  function record(): void {
    const s = net.state;
    trace[0].push(s.steps);
    trace[1].push(point(s.energy));
    if (trace[0].length > 500) {
      trace[0].shift();
      trace[1].shift();
    }
    chart.setData(trace);
    energyEl.textContent = s.energy.toFixed(4);
    energyEl.dataset.value = String(s.energy);
    stepsEl.textContent = String(s.steps);
  }

  function draw(): void {
    const s = net.state;
    const k = scale();
    ctx.clearRect(0, 0, W, H);
    // Rods: from each node of layer l − 1 to each platform of layer l.
    for (let l = 1; l < SIZES.length; l++) {
      for (let i = 0; i < SIZES[l]; i++) {
        for (let j = 0; j < SIZES[l - 1]; j++) {
          const w = net.weight(l, i, j);
          const isSel = selected && selected.l === l && selected.i === i && selected.j === j;
          ctx.strokeStyle = isSel ? '#ffb703' : w >= 0 ? 'rgba(69,123,157,0.55)' : 'rgba(230,111,81,0.55)';
          ctx.lineWidth = isSel ? 4 : Math.min(5, 0.5 + 1.5 * Math.abs(w));
          ctx.beginPath();
          ctx.moveTo(px(l - 1, j), valueY(l - 1, s.ws.x[l - 1][j]));
          ctx.lineTo(px(l, i), valueY(l, net.prediction(l, i)));
          ctx.stroke();
        }
      }
    }
    for (let l = 0; l < SIZES.length; l++) {
      for (let i = 0; i < SIZES[l]; i++) {
        const x = px(l, i);
        ctx.strokeStyle = '#999';
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(x, rowY(l) - POLE / 2 - 8);
        ctx.lineTo(x, rowY(l) + POLE / 2 + 8);
        ctx.stroke();
        const vy = valueY(l, s.ws.x[l][i]);
        if (l > 0) {
          const py = valueY(l, net.prediction(l, i));
          const e = s.ws.eps[l][i];
          spring(x, py, vy, e * e);
          ctx.fillStyle = '#1d3557';
          ctx.fillRect(x - 14, py - 3, 28, 6);
        }
        ctx.beginPath();
        ctx.arc(x, vy, 9 * k, 0, 2 * Math.PI);
        ctx.fillStyle = net.isClamped(l, i) ? '#1d3557' : '#f1faee';
        ctx.fill();
        ctx.strokeStyle = '#1d3557';
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      // The layer's name, upwards in the margin, TEXT_PX tall on screen at any scale.
      ctx.save();
      ctx.fillStyle = '#555';
      ctx.font = `${TEXT_PX * k}px sans-serif`;
      ctx.textAlign = 'center';
      ctx.translate(MARGIN / 2 + (TEXT_PX * k) / 3, rowY(l));
      ctx.rotate(-Math.PI / 2);
      ctx.fillText(l === 0 ? 'cause' : l === SIZES.length - 1 ? 'senses' : 'hidden', 0, 0);
      ctx.restore();
    }
    // What the tests read: where the first top node is (logical pixels), how many nodes are clamped, the text size on screen.
    canvas.dataset.topNode = `${px(0, 0)},${valueY(0, s.ws.x[0][0])}`;
    canvas.dataset.clamped = String(SIZES.reduce((n, size, l) => n + Array.from({ length: size }, (_, i) => net.isClamped(l, i)).filter(Boolean).length, 0));
    canvas.dataset.textPx = String(TEXT_PX);
  }

  function spring(x: number, y0: number, y1: number, tension: number): void {
    const t = Math.min(1, tension / 1.5);
    ctx.strokeStyle = `rgb(${Math.round(60 + 190 * t)}, ${Math.round(160 - 120 * t)}, 80)`;
    ctx.lineWidth = 1 + 4 * t;
    ctx.beginPath();
    const turns = 8;
    for (let k = 0; k <= turns * 2; k++) {
      const y = y0 + ((y1 - y0) * k) / (turns * 2);
      const dx = k === 0 || k === turns * 2 ? 0 : k % 2 ? 6 : -6;
      if (k === 0) ctx.moveTo(x + dx, y);
      else ctx.lineTo(x + dx, y);
    }
    ctx.stroke();
  }

  function nodeAt(mx: number, my: number): { l: number; i: number } | null {
    // The nearest node within GRAB_PX on screen (or the drawn radius, where that is larger).
    const reach = Math.max(12, GRAB_PX * scale());
    let best: { l: number; i: number } | null = null;
    let bestD = reach;
    for (let l = 0; l < SIZES.length; l++) {
      for (let i = 0; i < SIZES[l]; i++) {
        const d = Math.hypot(mx - px(l, i), my - valueY(l, net.state.ws.x[l][i]));
        if (d < bestD) {
          bestD = d;
          best = { l, i };
        }
      }
    }
    return best;
  }

  function rodAt(mx: number, my: number): Selection | null {
    let best: Selection | null = null;
    let bestD = Math.max(5, 10 * scale());
    for (let l = 1; l < SIZES.length; l++) {
      for (let i = 0; i < SIZES[l]; i++) {
        for (let j = 0; j < SIZES[l - 1]; j++) {
          const d = segmentDistance(mx, my, px(l - 1, j), valueY(l - 1, net.state.ws.x[l - 1][j]), px(l, i), valueY(l, net.prediction(l, i)));
          if (d < bestD) {
            bestD = d;
            best = { l, i, j };
          }
        }
      }
    }
    return best;
  }

  const pos = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * W) / r.width, ((e.clientY - r.top) * H) / r.height] as const;
  };
  let moved = false;
  canvas.addEventListener('pointerdown', (e) => {
    const [mx, my] = pos(e);
    dragging = nodeAt(mx, my);
    moved = false;
    if (dragging) canvas.setPointerCapture(e.pointerId);
  });
  canvas.addEventListener('pointermove', (e) => {
    if (!dragging) return;
    const [, my] = pos(e);
    moved = true;
    net.setValue(dragging.l, dragging.i, (-(my - rowY(dragging.l)) / (POLE / 2)) * RANGE);
    record();
    draw();
  });
  canvas.addEventListener('pointerup', (e) => {
    const [mx, my] = pos(e);
    if (dragging && !moved) net.toggleClamp(dragging.l, dragging.i);
    else if (!dragging) {
      selected = rodAt(mx, my);
      weightBox.hidden = !selected;
      if (selected) {
        root.querySelector<HTMLElement>('#springs-weight-name')!.textContent = `W${selected.l}[${selected.i},${selected.j}]`;
        slider.value = String(net.weight(selected.l, selected.i, selected.j));
        root.querySelector<HTMLOutputElement>('#springs-weight-value')!.value = Number(slider.value).toFixed(2);
      }
    }
    dragging = null;
    record();
    draw();
  });
  slider.addEventListener('input', () => {
    if (!selected) return;
    net.setWeight(selected.l, selected.i, selected.j, Number(slider.value));
    root.querySelector<HTMLOutputElement>('#springs-weight-value')!.value = Number(slider.value).toFixed(2);
    record();
    draw();
  });
  playBtn.addEventListener('click', () => {
    playing = !playing;
    playBtn.textContent = playing ? 'Pause' : 'Play';
  });
  root.querySelector('#springs-step')!.addEventListener('click', () => {
    net.step();
    record();
    draw();
  });
  root.querySelector('#springs-reset')!.addEventListener('click', () => {
    net.reset(++seed); // a new network, from the next seed
    trace[0].length = 0;
    trace[1].length = 0;
    record();
    draw();
  });
  root.querySelector<HTMLInputElement>('#springs-learn')!.addEventListener('change', (e) => {
    net.state.learning = (e.target as HTMLInputElement).checked;
  });
  const frame = () => {
    if (playing) {
      net.step();
      record();
      draw();
    }
    requestAnimationFrame(frame);
  };
  record();
  draw();
  // Text and node sizes follow the canvas's size on screen.
  window.addEventListener('resize', draw);
  requestAnimationFrame(frame);
}

function segmentDistance(px: number, py: number, x0: number, y0: number, x1: number, y1: number): number {
  const dx = x1 - x0;
  const dy = y1 - y0;
  const t = Math.max(0, Math.min(1, ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x0 + t * dx), py - (y0 + t * dy));
}
