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
import { type Checkpoint, GENERATIVE_SAMPLE_NOISE } from 'predictive-coding/train';
import { loadCheckpoint } from './assets.ts';
import { drawingPad, paintDigits, toMnist } from './digits.ts';
import { createEngine, type Engine, SHOW } from './engine.ts';
import { mountLayersView } from './layers-view.ts';
import { mountTraining, TRAINING_HTML, type TrainingPanel } from './training-panel.ts';

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
    <p>Two networks trained on handwritten digits, both shipped with the page. The <strong>classifier</strong> predicts from the image
    toward the label: its image layer is clamped to your drawing and the label layer relaxes — relaxation is how it classifies. The
    <strong>generative network</strong> runs the other way, like the springs above: the label is the cause at the top and the image
    is predicted at the bottom, so clamping a label draws digits, and clamping half an image fills in the rest.</p>
    <p id="pg-status" data-testid="pg-status">loading the shipped models…</p>
    <p class="buttons"><label>run on <select id="pg-backend" data-testid="backend"><option value="wasm">the CPU (WebAssembly)</option><option value="webgpu" disabled>WebGPU (not in this browser)</option></select></label>
      <span id="pg-engine" class="hint" data-testid="engine"></span></p>
    <div class="row">
      <div class="panel">
        <h3>Draw a digit</h3>
        <canvas id="pg-pad" width="280" height="280" data-testid="pad"></canvas>
        <div class="buttons"><button id="pg-clear">Clear</button> <button id="pg-erase">Erase the bottom half and fill it in</button>
          <span id="pg-pad-hint" class="hint" aria-live="polite"></span></div>
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
        <p class="hint">Pick a digit: its label is clamped at the top of the generative network, the layers below relax, and the image layer is read at the bottom.</p>
        <figure class="tile" hidden><canvas id="pg-generated" width="640" height="76" data-testid="generated"></canvas>
          <figcaption>Eight samples of the chosen digit (noise σ = ${GENERATIVE_SAMPLE_NOISE} in the layer below the label).</figcaption></figure>
      </div>
      <div class="panel">${TRAINING_HTML}
      </div>
    </div>`;
  const $ = <E extends HTMLElement>(id: string) => root.querySelector<E>(`#${id}`)!;
  const status = $('pg-status');
  const [classifierFile, generatorFile] = await Promise.all([
    loadCheckpoint(base, 'discriminative.safetensors'),
    loadCheckpoint(base, 'generative.safetensors'),
  ]);
  let classifier: Checkpoint = classifierFile;
  const shippedAccuracy = `${(100 * Number(classifierFile.metadata.test_acc)).toFixed(2)} %`;
  let training: TrainingPanel | null = null;
  const threads = `${backend.threads} thread${backend.threads > 1 ? 's' : ''}`;
  const engines: { readonly wasm: Engine; webgpu: Engine | null } = {
    wasm: createEngine(backend, `the CPU (WebAssembly, ${threads})`, classifier, generatorFile),
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
  status.textContent = `Ready: both models loaded (${gpu ? `WebGPU available: ${gpu}` : 'WebGPU not in this browser: everything runs on the CPU'}).`;
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
      speed.textContent = `(${SHOW.steps} relaxation steps in ${Math.round((1000 * SHOW.steps) / stepsPerSecond)} ms on ${e.name === 'wasm' ? 'the CPU' : 'WebGPU'})`;
      speed.dataset.value = String(stepsPerSecond);
      shown($<HTMLCanvasElement>('pg-emerge'));
      paintEmergence($<HTMLCanvasElement>('pg-emerge'), frames);
      layersView.show(classified);
    });
  }

  // Associative recall with the generative network: the drawn digit's bottom half is erased and relaxed back.
  $('pg-erase').addEventListener('click', () => {
    const image = drawn;
    $('pg-pad-hint').textContent = image ? '' : 'Draw a digit first.';
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
        for (const other of labels.querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === b));
        const canvas = shown($<HTMLCanvasElement>('pg-generated'));
        paintDigits(canvas, await (await engine()).generate(d));
        canvas.dataset.generated = String(d);
      }),
    );
    labels.append(b);
  }

  // Training in a worker; the model that classifies is the user's choice (the shipped one until a run here finishes).
  training = mountTraining(root, classifierFile, shippedAccuracy, chosen, base, () => {
    classifier = training?.chosen() ?? classifierFile;
    for (const e of Object.values(engines)) e?.setClassifier(classifier);
    if (drawn) classify(drawn);
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
