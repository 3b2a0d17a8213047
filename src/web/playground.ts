/**
 * The MNIST playground: train a PCN in a Web Worker on the embedded digits
 * (live energy and accuracy), or use the checkpoints shipped with the site;
 * draw a digit and watch the classification emerge over the relaxation steps;
 * generate digits by clamping a label; erase half a digit and let the
 * generative network fill it in.
 */
import uPlot from 'uplot';
import { complete, generate, initValues, initWorkspace, type Model, planRelaxation, relax, startRelaxation } from '../core/index.ts';
import type { Backend } from '../kernels/index.ts';
import { createRng } from '../random.ts';
import { decodeCheckpoint, modelFromCheckpoint } from '../train/index.ts';
import { loadModel } from './assets.ts';
import { drawingPad, paintDigits, toMnist } from './digits.ts';
import type { TrainMessage, TrainRequest } from './trainer-worker.ts';

/** The browser's WebGPU adapter, described, or null where it has none (the lab can then train on it). */
async function webgpuAdapter(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (!adapter) return null;
  const { description, vendor, architecture } = adapter.info;
  return [description, vendor, architecture].filter((s) => s).join(' ') || 'an adapter';
}

/** Relaxation shown while a drawn digit is classified: x_0 clamped, every other layer from zero. */
const SHOW = { steps: 60, lr: 0.1, momentum: 0.5, tolerance: 0 };

export async function mountPlayground(root: HTMLElement, backend: Backend, base: string): Promise<void> {
  root.innerHTML = `
    <h2>MNIST playground</h2>
    <p id="pg-status" data-testid="pg-status">loading the shipped models…</p>
    <div class="row">
      <div class="panel">
        <h3>Draw a digit</h3>
        <canvas id="pg-pad" width="280" height="280" data-testid="pad"></canvas>
        <div class="buttons"><button id="pg-clear">Clear</button> <button id="pg-erase">Erase the bottom half and fill it in</button></div>
        <p>Prediction: <strong id="pg-prediction" data-testid="prediction">–</strong> <span id="pg-speed" data-testid="relax-speed"></span></p>
        <p class="hint">Top-layer activity over the ${SHOW.steps} relaxation steps (rows: digits 0–9, left to right: steps):</p>
        <canvas id="pg-emerge" width="360" height="120"></canvas>
        <canvas id="pg-complete" width="260" height="84" data-testid="completion"></canvas>
      </div>
      <div class="panel">
        <h3>Generate</h3>
        <div class="buttons" id="pg-labels"></div>
        <canvas id="pg-generated" width="640" height="76" data-testid="generated"></canvas>
        <h3>Train in the page</h3>
        <div class="buttons"><label>epochs <input id="pg-epochs" type="number" min="1" max="100" value="5" /></label>
          <label>on <select id="pg-backend" data-testid="train-backend"><option value="wasm">wasm (CPU)</option><option value="webgpu" disabled>WebGPU (not in this browser)</option></select></label>
          <label><input id="pg-quick" type="checkbox" /> quick (1,000 digits)</label>
          <button id="pg-train">Train</button></div>
        <progress id="pg-progress" value="0" max="1"></progress>
        <div id="pg-energy-chart"></div>
        <div id="pg-acc-chart"></div>
      </div>
    </div>`;
  const $ = <E extends HTMLElement>(id: string) => root.querySelector<E>(`#${id}`)!;
  const status = $('pg-status');
  let classifier: Model = await loadModel(base, 'discriminative.safetensors', backend);
  const generator = await loadModel(base, 'generative.safetensors', backend);
  const cws = () => initWorkspace(classifier, 1, backend);
  let ws = cws();
  const gws = initWorkspace(generator, 8, backend);
  const gpu = await webgpuAdapter();
  const gpuOption = $<HTMLSelectElement>('pg-backend').options[1];
  if (gpu) {
    gpuOption.disabled = false;
    gpuOption.textContent = `WebGPU (${gpu})`;
  }
  status.textContent = `ready: shipped checkpoints loaded (${backend.name} × ${backend.threads} thread${backend.threads > 1 ? 's' : ''}${crossOriginIsolated ? ', cross-origin isolated' : ''}; WebGPU ${gpu ? `available: ${gpu}` : 'not in this browser'})`;
  status.dataset.ready = 'true';

  const pad = $<HTMLCanvasElement>('pg-pad');
  let drawn: Float32Array | null = null;
  const padApi = drawingPad(pad, () => {
    drawn = toMnist(pad);
    if (drawn) classify(drawn);
  });
  $('pg-clear').addEventListener('click', () => {
    padApi.clear();
    drawn = null;
    $('pg-prediction').textContent = '–';
  });

  function classify(image: Float32Array): void {
    const L = classifier.config.sizes.length - 1;
    const n = classifier.config.sizes[L];
    const clamp = [image];
    initValues(classifier, ws, 1, clamp, 'zero');
    const frames: Float32Array[] = [];
    const t0 = performance.now();
    relax(
      classifier,
      ws,
      1,
      planRelaxation(classifier, [true, ...classifier.config.sizes.slice(1).map(() => false)]),
      SHOW,
      startRelaxation(classifier, ws, 1),
      {
        onStep: () => frames.push(ws.x[L].slice(0, n)),
      },
    );
    const seconds = (performance.now() - t0) / 1000;
    const last = frames[frames.length - 1];
    let best = 0;
    for (let c = 1; c < n; c++) if (last[c] > last[best]) best = c;
    const pred = $('pg-prediction');
    pred.textContent = String(best);
    pred.dataset.value = String(best);
    const speed = $('pg-speed');
    speed.textContent = `(${Math.round(SHOW.steps / seconds)} relaxation steps/s)`;
    speed.dataset.value = String(SHOW.steps / seconds);
    paintEmergence($<HTMLCanvasElement>('pg-emerge'), frames);
  }

  // Associative recall with the generative network: the drawn digit's bottom half is erased and relaxed back.
  $('pg-erase').addEventListener('click', () => {
    if (!drawn) return;
    const visible = Uint8Array.from({ length: 784 }, (_, i) => (i < 392 ? 1 : 0));
    const filled = complete(generator, initWorkspace(generator, 1, backend), 1, drawn, visible, { steps: 200, lr: 0.1, momentum: 0.9, tolerance: 0 });
    const erased = Float32Array.from(drawn, (v, i) => (visible[i] ? v : 0.5));
    paintDigits($<HTMLCanvasElement>('pg-complete'), [drawn, erased, filled.slice(0, 784)]);
  });

  const labels = $('pg-labels');
  for (let d = 0; d < 10; d++) {
    const b = document.createElement('button');
    b.textContent = String(d);
    b.dataset.digit = String(d);
    b.addEventListener('click', () => {
      const top = new Float32Array(8 * 10);
      for (let r = 0; r < 8; r++) top[r * 10 + d] = 1;
      const out = generate(generator, gws, 8, top, { noise: 0.2, rng: createRng(d) });
      paintDigits(
        $<HTMLCanvasElement>('pg-generated'),
        Array.from({ length: 8 }, (_, r) => out.slice(r * 784, (r + 1) * 784)),
      );
    });
    labels.append(b);
  }

  // Training in a worker, with live charts.
  const energy: [number[], number[]] = [[], []];
  const acc: [number[], number[]] = [[], []];
  const opts = (label: string, stroke: string) => ({ width: 320, height: 140, scales: { x: { time: false } }, series: [{}, { label, stroke, width: 2 }] });
  const energyChart = new uPlot(opts('energy per example', '#e63946'), energy, $('pg-energy-chart'));
  const accChart = new uPlot(opts('held-out accuracy', '#457b9d'), acc, $('pg-acc-chart'));
  $('pg-train').addEventListener('click', () => {
    const epochs = Number($<HTMLInputElement>('pg-epochs').value) || 5;
    const worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module' });
    const progress = $<HTMLProgressElement>('pg-progress');
    energy[0].length = energy[1].length = acc[0].length = acc[1].length = 0;
    const on = $<HTMLSelectElement>('pg-backend').value === 'webgpu' ? 'webgpu' : 'wasm';
    const quick = $<HTMLInputElement>('pg-quick').checked;
    status.textContent = `training ${epochs} epochs in a worker on ${on === 'webgpu' ? 'WebGPU' : 'wasm'}…`;
    worker.onmessage = (e: MessageEvent<TrainMessage>) => {
      const m = e.data;
      if (m.type === 'progress') {
        progress.value = (m.epoch - 1 + m.batch / m.batches) / epochs;
        energy[0].push(energy[0].length);
        energy[1].push(m.energy);
        energyChart.setData(energy);
      } else if (m.type === 'epoch') {
        acc[0].push(m.epoch);
        acc[1].push(m.accuracy);
        accChart.setData(acc);
        status.textContent = `epoch ${m.epoch}/${epochs}: held-out accuracy ${(100 * m.accuracy).toFixed(2)} % (${m.seconds.toFixed(1)} s)`;
      } else if (m.type === 'done') {
        classifier = modelFromCheckpoint(decodeCheckpoint(m.checkpoint, 'trained in the page'), backend);
        ws = cws();
        status.textContent += ` — now classifying with the model trained here (on ${m.backend})`;
        worker.terminate();
      } else {
        status.textContent = `training failed: ${m.message}`;
        worker.terminate();
      }
    };
    const request: TrainRequest = { base: new URL(base, location.href).href, epochs, seed: 0, backend: on, quick };
    worker.postMessage(request);
  });
}

/** Rows: classes; columns: relaxation steps; brightness: the top-layer value. */
function paintEmergence(canvas: HTMLCanvasElement, frames: readonly Float32Array[]): void {
  const ctx = canvas.getContext('2d')!;
  const classes = frames[0]?.length ?? 10;
  const w = canvas.width / frames.length;
  const h = canvas.height / classes;
  for (const [t, f] of frames.entries()) {
    for (let c = 0; c < classes; c++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, f[c])));
      ctx.fillStyle = `rgb(${v}, ${v}, ${Math.min(255, v + 40)})`;
      ctx.fillRect(t * w, c * h, Math.ceil(w), Math.ceil(h));
    }
  }
}
