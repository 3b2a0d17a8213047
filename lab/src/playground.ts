/**
 * The MNIST playground: train a PCN in a Web Worker on the embedded digits
 * (live energy and accuracy), or use the checkpoints shipped with the site;
 * draw a digit and watch the classification emerge over the relaxation steps;
 * generate digits by clamping a label; erase half a digit and let the
 * generative network fill it in. All of it runs on wasm or, where the browser
 * has WebGPU, on the GPU (one choice for the page; a hardware adapter is the
 * default, a CPU one such as SwiftShader is offered but not chosen).
 */

import { type Backend, createBackend, isCpuAdapter } from 'predictive-coding/kernels';
import { type Checkpoint, decodeCheckpoint, GENERATIVE_SAMPLE_NOISE } from 'predictive-coding/train';
import { loadCheckpoint } from './assets.ts';
import { CHART_STYLE } from './chart-style.ts';
import { lineChart, point } from './charts.ts';
import { drawingPad, paintDigits, toMnist } from './digits.ts';
import { createEngine, type Engine, SHOW } from './engine.ts';
import { mountLayersView } from './layers-view.ts';
import type { TrainMessage, TrainRequest } from './trainer-worker.ts';

/** The browser's WebGPU adapter, described, or null where it has none. */
async function webgpuAdapter(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  if (!adapter) return null;
  const { description, vendor, architecture } = adapter.info;
  return [description, vendor, architecture].filter((s) => s).join(' ') || 'an adapter';
}

export async function mountPlayground(root: HTMLElement, backend: Backend, base: string): Promise<void> {
  root.innerHTML = `
    <h2>MNIST playground</h2>
    <p id="pg-status" data-testid="pg-status">loading the shipped models…</p>
    <p class="buttons"><label>run on <select id="pg-backend" data-testid="backend"><option value="wasm">wasm (CPU)</option><option value="webgpu" disabled>WebGPU (not in this browser)</option></select></label>
      <span id="pg-engine" data-testid="engine"></span></p>
    <div class="row">
      <div class="panel">
        <h3>Draw a digit</h3>
        <canvas id="pg-pad" width="280" height="280" data-testid="pad"></canvas>
        <div class="buttons"><button id="pg-clear">Clear</button> <button id="pg-erase">Erase the bottom half and fill it in</button></div>
        <p>Prediction: <strong id="pg-prediction" data-testid="prediction">–</strong> <span id="pg-speed" data-testid="relax-speed"></span></p>
        <figure class="tile" hidden><canvas id="pg-emerge" width="${EMERGE.width}" height="${EMERGE.height}" data-testid="emergence"></canvas>
          <figcaption>How relaxation classifies: the image is clamped and the label layer settles. Rows: digits 0–9; left to right: the ${SHOW.steps} relaxation steps; brightness: that digit's activity.</figcaption></figure>
        <figure class="tile" hidden><canvas id="pg-complete" width="260" height="84" data-testid="completion"></canvas>
          <figcaption>Left: your digit. Middle: its bottom half erased. Right: filled in by the generative network, the visible pixels clamped and the rest relaxed.</figcaption></figure>
      </div>
      <div class="panel">
        <h3>Inside the network, layer by layer</h3>
        <div id="pg-layers"></div>
      </div>
    </div>
    <div class="row">
      <div class="panel">
        <h3>Generate</h3>
        <div class="buttons" id="pg-labels"></div>
        <p class="hint">Pick a digit: its label is clamped at the top of the generative network and the image layer is read at the bottom.</p>
        <figure class="tile" hidden><canvas id="pg-generated" width="640" height="76" data-testid="generated"></canvas>
          <figcaption>Eight samples of the chosen digit (noise σ = ${GENERATIVE_SAMPLE_NOISE} in the layer below the label).</figcaption></figure>
      </div>
      <div class="panel">
        <h3>Train in the page</h3>
        <div class="buttons"><label>epochs <input id="pg-epochs" type="number" min="1" max="100" value="5" /></label>
          <label><input id="pg-quick" type="checkbox" /> quick (1,000 digits)</label>
          <button id="pg-train" class="fixed-width" data-testid="train">Train</button></div>
        <progress id="pg-progress" value="0" max="1"></progress>
        <p id="pg-train-status" class="hint" data-testid="train-status" aria-live="polite">The shipped model classifies until a run here finishes.</p>
        <div id="pg-energy-chart" hidden></div>
        <div id="pg-acc-chart" hidden></div>
      </div>
    </div>`;
  const $ = <E extends HTMLElement>(id: string) => root.querySelector<E>(`#${id}`)!;
  const status = $('pg-status');
  const [classifierFile, generatorFile] = await Promise.all([
    loadCheckpoint(base, 'discriminative.safetensors'),
    loadCheckpoint(base, 'generative.safetensors'),
  ]);
  let classifier: Checkpoint = classifierFile;
  // Which model classifies now: the shipped one until a run in the page finishes.
  let classifierName = 'shipped';
  const threads = `${backend.threads} thread${backend.threads > 1 ? 's' : ''}`;
  const engines: { readonly wasm: Engine; webgpu: Engine | null } = {
    wasm: createEngine(backend, `wasm × ${threads}${crossOriginIsolated ? ', cross-origin isolated' : ''}`, classifier, generatorFile),
    webgpu: null,
  };
  const gpu = await webgpuAdapter();
  const select = $<HTMLSelectElement>('pg-backend');
  if (gpu) {
    select.options[1].disabled = false;
    select.options[1].textContent = `WebGPU (${gpu})`;
  }
  const chosen = (): 'wasm' | 'webgpu' => (select.value === 'webgpu' ? 'webgpu' : 'wasm');
  // The GPU's copy of the models is made when WebGPU is first chosen; whoever asks meanwhile awaits that
  // one start (a second would make a second device). A failed start is tried again on the next ask.
  let gpuStart: Promise<Engine | null> | null = null;
  async function engine(): Promise<Engine> {
    if (chosen() === 'wasm') return engines.wasm;
    gpuStart ??= createBackend('webgpu').then(
      (b) => (engines.webgpu = createEngine(b, `WebGPU (${gpu})`, classifier, generatorFile)),
      (e: unknown) => {
        gpuStart = null;
        status.textContent = `WebGPU could not start (${e instanceof Error ? e.message : String(e)}); running on wasm`;
        return null;
      },
    );
    const started = await gpuStart;
    if (started) return started;
    select.value = 'wasm';
    return engines.wasm;
  }
  const showEngine = async () => {
    const e = await engine();
    $('pg-engine').textContent = `relaxing and training on ${e.label}`;
    $('pg-engine').dataset.value = e.name;
  };
  select.addEventListener('change', () => void showEngine().then(() => drawn && classify(drawn)));
  if (gpu && !isCpuAdapter(gpu)) select.value = 'webgpu';
  await showEngine();
  status.textContent = `ready: shipped checkpoints loaded (wasm × ${threads}${crossOriginIsolated ? ', cross-origin isolated' : ''}; WebGPU ${gpu ? `available: ${gpu}` : 'not in this browser'})`;
  status.dataset.ready = 'true';

  // One relaxation at a time: a stroke that ends while the last is still being read waits for it.
  let queue: Promise<unknown> = Promise.resolve();
  const serially = (work: () => Promise<void>) => {
    queue = queue.then(work).catch((e: unknown) => {
      status.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
    });
  };

  const layersView = mountLayersView($('pg-layers'));
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
    serially(async () => {
      const e = await engine();
      const classified = await e.classify(image);
      const { label, frames, stepsPerSecond } = classified;
      const pred = $('pg-prediction');
      pred.textContent = String(label);
      pred.dataset.value = String(label);
      pred.dataset.backend = e.name;
      const speed = $('pg-speed');
      speed.textContent = `(${Math.round(stepsPerSecond)} relaxation steps/s on ${e.name === 'wasm' ? 'wasm' : 'WebGPU'})`;
      speed.dataset.value = String(stepsPerSecond);
      shown($<HTMLCanvasElement>('pg-emerge'));
      paintEmergence($<HTMLCanvasElement>('pg-emerge'), frames);
      layersView.show(classified);
    });
  }

  // Associative recall with the generative network: the drawn digit's bottom half is erased and relaxed back.
  $('pg-erase').addEventListener('click', () => {
    const image = drawn;
    if (!image) return;
    serially(async () => {
      const visible = Uint8Array.from({ length: 784 }, (_, i) => (i < 392 ? 1 : 0));
      const filled = await (await engine()).complete(image, visible);
      const erased = Float32Array.from(image, (v, i) => (visible[i] ? v : 0.5));
      const canvas = shown($<HTMLCanvasElement>('pg-complete'));
      paintDigits(canvas, [image, erased, filled]);
      canvas.dataset.filled = String(Number(canvas.dataset.filled ?? 0) + 1);
    });
  });

  const labels = $('pg-labels');
  for (let d = 0; d < 10; d++) {
    const b = document.createElement('button');
    b.textContent = String(d);
    b.dataset.digit = String(d);
    b.addEventListener('click', () =>
      serially(async () => {
        const canvas = shown($<HTMLCanvasElement>('pg-generated'));
        paintDigits(canvas, await (await engine()).generate(d));
        canvas.dataset.generated = String(d);
      }),
    );
    labels.append(b);
  }

  // Training in a worker, with live charts.
  const energy: [number[], number[]] = [[], []];
  const acc: [number[], number[]] = [[], []];
  const energyChart = lineChart(
    $('pg-energy-chart'),
    { title: 'Training energy', x: { label: 'batch' }, y: { label: CHART_STYLE.energyTitle, log: true }, lines: [{ label: 'E', stroke: CHART_STYLE.energy }] },
    energy,
  );
  const accChart = lineChart(
    $('pg-acc-chart'),
    {
      title: 'Held-out accuracy',
      x: { label: 'epoch' },
      y: { label: CHART_STYLE.accuracyTitle },
      lines: [{ label: 'accuracy', stroke: CHART_STYLE.accuracy }],
    },
    acc,
  );
  // One run at a time: while it runs the button stops it, and a stopped run's model is dropped.
  const button = $<HTMLButtonElement>('pg-train');
  const trainStatus = $('pg-train-status');
  let running: Worker | null = null;
  const finish = (message: string) => {
    running?.terminate();
    running = null;
    button.textContent = 'Train';
    trainStatus.textContent = message;
  };
  button.addEventListener('click', () => {
    if (running) {
      finish(`stopped; the ${classifierName} model still classifies`);
      return;
    }
    const epochs = Number($<HTMLInputElement>('pg-epochs').value) || 5;
    const worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module' });
    running = worker;
    button.textContent = 'Stop';
    // The charts appear with the first run (no empty boxes before).
    for (const id of ['pg-energy-chart', 'pg-acc-chart']) $(id).removeAttribute('hidden');
    const progress = $<HTMLProgressElement>('pg-progress');
    progress.value = 0;
    energy[0].length = energy[1].length = acc[0].length = acc[1].length = 0;
    const on = chosen();
    const quick = $<HTMLInputElement>('pg-quick').checked;
    const started = performance.now();
    let lastEpoch = '';
    trainStatus.textContent = `training ${epochs} epoch${epochs > 1 ? 's' : ''} in a worker on ${on === 'webgpu' ? 'WebGPU' : 'wasm'}…`;
    worker.onmessage = (e: MessageEvent<TrainMessage>) => {
      if (running !== worker) return; // a stopped run's last messages
      const m = e.data;
      if (m.type === 'progress') {
        const done = (m.epoch - 1 + m.batch / m.batches) / epochs;
        progress.value = done;
        const left = ((performance.now() - started) / 1000) * (1 / done - 1);
        trainStatus.textContent = `epoch ${m.epoch}/${epochs}, batch ${m.batch}/${m.batches}, about ${Math.ceil(left)} s left${lastEpoch}`;
        energy[0].push((m.epoch - 1) * m.batches + m.batch);
        energy[1].push(point(m.energy));
        energyChart.setData(energy);
      } else if (m.type === 'epoch') {
        acc[0].push(m.epoch);
        acc[1].push(100 * m.accuracy);
        accChart.setData(acc);
        lastEpoch = ` — after epoch ${m.epoch}: held-out accuracy ${(100 * m.accuracy).toFixed(2)} % (${m.seconds.toFixed(1)} s)`;
      } else if (m.type === 'done') {
        classifier = decodeCheckpoint(m.checkpoint, 'trained in the page');
        classifierName = 'page-trained';
        for (const e of Object.values(engines)) e?.setClassifier(classifier);
        finish(`done${lastEpoch}; now classifying with the model trained here (on ${m.backend})`);
      } else finish(`training failed: ${m.message}`);
    };
    const request: TrainRequest = { base: new URL(base, location.href).href, epochs, seed: 0, backend: on, quick };
    worker.postMessage(request);
  });
}

/** `canvas`, its figure (and caption) made visible: tiles stay hidden until they have something to show. */
function shown(canvas: HTMLCanvasElement): HTMLCanvasElement {
  canvas.closest('figure')?.removeAttribute('hidden');
  return canvas;
}

/** The emergence tile: logical size, and the margins that hold its row and step labels. */
const EMERGE = { width: 380, height: 150, left: 18, bottom: 18 };

/** Rows: classes (labelled 0–9); columns: relaxation steps (ticks at 1 and every 10); brightness: the top-layer value. */
function paintEmergence(canvas: HTMLCanvasElement, frames: readonly Float32Array[]): void {
  const ctx = canvas.getContext('2d')!;
  const classes = frames[0]?.length ?? 10;
  const plotW = canvas.width - EMERGE.left;
  const plotH = canvas.height - EMERGE.bottom;
  const w = plotW / frames.length;
  const h = plotH / classes;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  for (const [t, f] of frames.entries()) {
    for (let c = 0; c < classes; c++) {
      const v = Math.round(255 * Math.min(1, Math.max(0, f[c])));
      ctx.fillStyle = `rgb(${v}, ${v}, ${Math.min(255, v + 40)})`;
      ctx.fillRect(EMERGE.left + t * w, c * h, Math.ceil(w), Math.ceil(h));
    }
  }
  ctx.fillStyle = '#333';
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  for (let c = 0; c < classes; c++) ctx.fillText(String(c), 5, (c + 0.5) * h);
  ctx.textBaseline = 'alphabetic';
  const ticks = [1, ...Array.from({ length: Math.floor(frames.length / 10) }, (_, k) => 10 * (k + 1))];
  for (const t of ticks) {
    const x = EMERGE.left + (t - 0.5) * w;
    ctx.fillRect(x, plotH, 1, 4);
    ctx.fillText(String(t), Math.min(x - 3, canvas.width - 14), canvas.height - 3);
  }
}
