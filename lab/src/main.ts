/**
 * The browser lab: the springs view and the MNIST playground, on the same
 * library and wasm kernels as the `pcn` command. Everything it loads comes
 * from its own origin.
 */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { createBackend } from 'predictive-coding/kernels';
import { mountPlayground } from './playground.ts';
import { mountSprings } from './springs-view.ts';

async function main(): Promise<void> {
  const app = document.querySelector<HTMLElement>('#app')!;
  app.innerHTML = `
    <header><h1>predictive-coding lab</h1>
    <p>Predictive coding networks learn by relaxing an energy: every neuron and synapse updates from local information only.</p>
    <nav class="docs" data-testid="docs-links">Read more: <a href="docs/readme.html">README</a> (the library, the <code>pcn</code> command, results) ·
      <a href="docs/design.html">design and math</a> (the energy and its updates, §2) · <a href="docs/experiments.html">experiments</a> ·
      <a href="api/index.html">API reference</a></nav></header>
    <section id="springs"></section>
    <section id="playground"></section>`;
  mountSprings(app.querySelector<HTMLElement>('#springs')!);
  const backend = await createBackend('auto', { threads: 'auto' });
  await mountPlayground(app.querySelector<HTMLElement>('#playground')!, backend, './');
}

main().catch((e: unknown) => {
  const p = document.createElement('p');
  p.className = 'error';
  p.textContent = `The lab failed to start: ${e instanceof Error ? e.message : String(e)}`;
  document.body.append(p);
  console.error(e);
});
