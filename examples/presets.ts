// examples/presets.ts — a preset trained on the embedded digits (the tests run it).
import { createBackend, evaluate, fit, loadEmbeddedDigits, PCX_MLP, presetFitOptions, presetModel } from 'predictive-coding';

const { train, test } = await loadEmbeddedDigits(); // the 10,000 digits in the package: 8,000 / 2,000
const backend = await createBackend('auto');
const { model, optimizer, workspace } = presetModel(PCX_MLP, backend, 0);
const onEpoch = (s: { epoch: number; testAccuracy: number }) => console.log(`epoch ${s.epoch}: ${(100 * s.testAccuracy).toFixed(1)} %`);
await fit(model, optimizer, workspace, train, test, presetFitOptions(PCX_MLP, 3, 0, { onEpoch }));
console.log(`held-out accuracy ${(100 * evaluate(model, workspace, test)).toFixed(2)} %`);
backend.dispose();
