/**
 * --layers against the data: default sizes whose ends come from the data, and
 * a check, before anything is printed or written, that sizes the user gave
 * have the data's image size and class count where the orientation puts them
 * (discriminative: image at x_0, label at x_L; generative: the reverse).
 */
import type { Orientation } from 'predictive-coding/core';
import type { Dataset } from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { sizes } from './options.ts';
import { count } from './plural.ts';

type Shape = Pick<Dataset, 'features' | 'classes' | 'rows' | 'cols'>;

/** n_0 and n_L a model of `orientation` needs for `data`. */
function ends(orientation: Orientation, data: Shape): [number, number] {
  return orientation === 'generative' ? [data.classes, data.features] : [data.features, data.classes];
}

/** The sizes of `spec` (e.g. '784,128,10') with n_0 and n_L taken from the data. */
export function layersFromData(spec: string, orientation: Orientation, data: Shape): number[] {
  const layers = sizes(spec);
  [layers[0], layers[layers.length - 1]] = ends(orientation, data);
  return layers;
}

/** Throws PcError('config') naming --layers unless `layers` fits `data` (named `source`, as the user wrote it). */
export function checkLayers(layers: readonly number[], orientation: Orientation, data: Shape, source: string): void {
  const [n0, nL] = ends(orientation, data);
  if (layers[0] === n0 && layers[layers.length - 1] === nL) return;
  throw new PcError(
    'config',
    `--layers: ${layers.join(',')} does not fit ${source}: its images have ${count(data.features, 'value')} (${data.rows}×${data.cols}) and it has ${count(data.classes, 'class', 'classes')}, so a ${orientation} model needs n_0 = ${n0} and n_L = ${nL}, e.g. --layers ${n0},…,${nL}.`,
  );
}
