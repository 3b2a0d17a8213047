/**
 * "Train in the page": trains a new classifier (the shipped one's network and
 * settings, from fresh weights) in a Web Worker, one run at a time (Train
 * becomes Stop), with progress, an ETA and live energy and accuracy charts.
 * A finished run's model is offered beside the shipped one; the user picks
 * which classifies (a short run can be worse than the shipped model, and
 * nothing replaces it silently).
 */
import { type Checkpoint, decodeCheckpoint } from 'predictive-coding/train';
import { CHART_STYLE } from './chart-style.ts';
import { lineChart, point } from './charts.ts';
import type { TrainMessage, TrainRequest } from './trainer-worker.ts';

/** The panel's markup (inside the playground's right-hand panel). */
export const TRAINING_HTML = `
  <h3>Train in the page</h3>
  <p class="hint">Trains a new classifier — the same network as the shipped one, from fresh random weights — on the embedded digits.
  For each batch the image and its label are clamped, the hidden layers relax, and every weight then moves by a Hebbian rule:
  the error of the neuron it predicts times the activity of the neuron it comes from.</p>
  <div class="buttons"><label>epochs <input id="pg-epochs" type="number" min="1" max="100" value="5" /></label>
    <label><input id="pg-quick" type="checkbox" /> quick (1,000 digits)</label>
    <button id="pg-train" class="fixed-width" data-testid="train">Train</button></div>
  <progress id="pg-progress" value="0" max="1"></progress>
  <p id="pg-train-status" class="hint" data-testid="train-status" aria-live="polite">The shipped model classifies until you choose one trained here.</p>
  <p class="buttons" id="pg-model-choice" hidden><label>classify with <select id="pg-model" data-testid="model-choice"></select></label></p>
  <div id="pg-energy-chart" hidden></div>
  <div id="pg-acc-chart" hidden></div>`;

export interface TrainingPanel {
  /** The checkpoint chosen to classify: the shipped one, or one trained here. */
  chosen(): Checkpoint;
}

/**
 * Wires the panel (already in `root`): `backendOf()` says where to train, `base` where the digits are,
 * `onChoice` runs when the classifying model changes.
 */
export function mountTraining(
  root: HTMLElement,
  shipped: Checkpoint,
  shippedAccuracy: string,
  backendOf: () => 'wasm' | 'webgpu',
  base: string,
  onChoice: () => void,
): TrainingPanel {
  const $ = <E extends HTMLElement>(id: string) => root.querySelector<E>(`#${id}`)!;
  const models: { name: string; checkpoint: Checkpoint }[] = [{ name: `the shipped model (${shippedAccuracy} held-out)`, checkpoint: shipped }];
  const select = $<HTMLSelectElement>('pg-model');
  const listModels = () => {
    select.replaceChildren(...models.map((m, i) => new Option(m.name, String(i))));
  };
  listModels();
  select.addEventListener('change', onChoice);

  const energy: [number[], number[]] = [[], []];
  const acc: [number[], number[]] = [[], []];
  let epochs = 5;
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
      yRange: [0, 100],
      xRange: () => [0.5, epochs + 0.5],
    },
    acc,
  );
  // One run at a time: while it runs the button stops it, and a stopped run's model is dropped.
  const button = $<HTMLButtonElement>('pg-train');
  const status = $('pg-train-status');
  let running: Worker | null = null;
  const finish = (message: string) => {
    running?.terminate();
    running = null;
    button.textContent = 'Train';
    status.textContent = message;
  };
  button.addEventListener('click', () => {
    if (running) {
      finish('stopped; its model is dropped');
      return;
    }
    epochs = Number($<HTMLInputElement>('pg-epochs').value) || 5;
    const worker = new Worker(new URL('./trainer-worker.ts', import.meta.url), { type: 'module' });
    running = worker;
    button.textContent = 'Stop';
    // The charts appear with the first run (no empty boxes before).
    for (const id of ['pg-energy-chart', 'pg-acc-chart']) $(id).removeAttribute('hidden');
    const progress = $<HTMLProgressElement>('pg-progress');
    progress.value = 0;
    energy[0].length = energy[1].length = acc[0].length = acc[1].length = 0;
    accChart.setData(acc);
    const on = backendOf();
    const quick = $<HTMLInputElement>('pg-quick').checked;
    const started = performance.now();
    let lastEpoch = '';
    let accuracy = '';
    status.textContent = `training ${epochs} epoch${epochs > 1 ? 's' : ''} in a worker on ${on === 'webgpu' ? 'WebGPU' : 'wasm'}…`;
    worker.onmessage = (e: MessageEvent<TrainMessage>) => {
      if (running !== worker) return; // a stopped run's last messages
      const m = e.data;
      if (m.type === 'progress') {
        const done = (m.epoch - 1 + m.batch / m.batches) / epochs;
        progress.value = done;
        const left = ((performance.now() - started) / 1000) * (1 / done - 1);
        status.textContent = `epoch ${m.epoch}/${epochs}, batch ${m.batch}/${m.batches}, about ${Math.ceil(left)} s left${lastEpoch}`;
        energy[0].push((m.epoch - 1) * m.batches + m.batch);
        energy[1].push(point(m.energy));
        energyChart.setData(energy);
      } else if (m.type === 'epoch') {
        acc[0].push(m.epoch);
        acc[1].push(100 * m.accuracy);
        accChart.setData(acc);
        accuracy = `${(100 * m.accuracy).toFixed(2)} %`;
        lastEpoch = ` — after epoch ${m.epoch}: held-out accuracy ${accuracy} (that epoch took ${m.seconds.toFixed(1)} s)`;
      } else if (m.type === 'done') {
        const run = models.length;
        models.push({
          name: `trained here, run ${run} (${epochs} epoch${epochs > 1 ? 's' : ''}${quick ? ', quick' : ''}: ${accuracy} held-out)`,
          checkpoint: decodeCheckpoint(m.checkpoint, 'trained in the page'),
        });
        listModels();
        select.value = String(run);
        $('pg-model-choice').hidden = false;
        onChoice();
        finish(`done${lastEpoch}; it classifies now (on ${m.backend}) — choose the shipped model again below if it does better`);
      } else finish(`training failed: ${m.message}`);
    };
    const request: TrainRequest = { base: new URL(base, location.href).href, epochs, seed: 0, backend: on, quick };
    worker.postMessage(request);
  });
  return { chosen: () => models[Number(select.value)]?.checkpoint ?? shipped };
}
