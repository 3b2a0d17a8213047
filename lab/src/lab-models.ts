/**
 * The lab's two networks, trained from the library's presets: the
 * discriminative MLP (PCX_MLP) that classifies a drawn digit, and the
 * generative net (GENERATIVE_MLP) that draws and completes digits. The asset
 * script and the in-browser trainer both build from here, so the lab's nets
 * are the CLI's (`pcn train`, `pcn experiment generative`) for the same seed.
 */
import type { Dataset } from 'predictive-coding/data';
import type { Backend, BackendArray } from 'predictive-coding/kernels';
import { type FitOptions, fit, type Preset, type PresetModel, presetFitOptions, presetModel } from 'predictive-coding/train';

/**
 * `preset` trained `epochs` epochs on `train` (scored on `test` after each
 * when given, plus any of fit's options in `extra`), weights and shuffling
 * from `seed`: the lab's discriminative net is PCX_MLP, its generative one
 * GENERATIVE_MLP (label → 256 → 256 → image, weights capped).
 */
export async function trainLabNet<T extends BackendArray>(
  preset: Preset,
  backend: Backend<T>,
  train: Dataset,
  test: Dataset | null,
  epochs: number,
  seed: number,
  extra: Partial<FitOptions<T>> = {},
): Promise<PresetModel<T>> {
  const net = presetModel(preset, backend, seed);
  await fit(net.model, net.optimizer, net.workspace, train, test, presetFitOptions(preset, epochs, seed, extra));
  return net;
}
