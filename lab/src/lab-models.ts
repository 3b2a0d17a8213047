/**
 * The lab's two networks, trained from the library's presets: the
 * discriminative MLP (PCX_MLP) that classifies a drawn digit, and the
 * generative net (GENERATIVE_MLP) that draws and completes digits. The asset
 * script and the in-browser trainer both build from here, so the lab's nets
 * are the CLI's (`pcn train`, `pcn experiment generative`) for the same seed.
 */
import type { Dataset } from 'predictive-coding/data';
import type { Backend, BackendArray } from 'predictive-coding/kernels';
import { type FitOptions, fit, GENERATIVE_MLP, PCX_MLP, type PresetModel, presetFitOptions, presetModel } from 'predictive-coding/train';

/** PCX_MLP trained `epochs` epochs on `train` (scored on `test` after each when given), weights from `seed`. */
export async function trainLabDiscriminative<T extends BackendArray>(
  backend: Backend<T>,
  train: Dataset,
  test: Dataset | null,
  epochs: number,
  seed: number,
  extra: Partial<FitOptions<T>> = {},
): Promise<PresetModel<T>> {
  const net = presetModel(PCX_MLP, backend, seed);
  await fit(net.model, net.optimizer, net.workspace, train, test, presetFitOptions(PCX_MLP, epochs, seed, extra));
  return net;
}

/** GENERATIVE_MLP (label → 256 → 256 → image, weights capped) trained `epochs` epochs on `train`, weights from `seed`. */
export async function trainLabGenerative<T extends BackendArray>(backend: Backend<T>, train: Dataset, epochs: number, seed: number): Promise<PresetModel<T>> {
  const net = presetModel(GENERATIVE_MLP, backend, seed);
  await fit(net.model, net.optimizer, net.workspace, train, null, presetFitOptions(GENERATIVE_MLP, epochs, seed));
  return net;
}
