/**
 * --arch against the data: a preset name (mlp, cnn, cnn-cifar, resmlp) or a
 * JSON file, made into the layer specs, input shape and parameterisation of a
 * model for this data — or, with no --arch, today's dense chain from --layers.
 * Every refusal names the flag, before anything is printed or written.
 */
import { existsSync } from 'node:fs';
import type { LayerSpec, Orientation, Parameterisation, Shape } from 'predictive-coding/core';
import type { Dataset } from 'predictive-coding/data';
import { PcError } from 'predictive-coding/errors';
import { readFileChecked } from 'predictive-coding/node';
import {
  ARCHITECTURES,
  type ArchitectureName,
  type ArchitectureSpec,
  architecture,
  architectureConfig,
  type DataShape,
  parseArchitecture,
} from 'predictive-coding/train';
import { checkLayers, layersFromData } from './layers.ts';

/** The flags that choose a network. */
export interface ArchFlags {
  readonly arch?: string;
  readonly layers?: readonly number[];
  readonly depth?: number;
  readonly width?: number;
  readonly parameterisation?: Parameterisation;
}

/** What createConfig needs of a network beyond its activations and energies, and a name for it in headers. */
export interface ResolvedArch {
  readonly sizes: number[];
  readonly layers?: readonly LayerSpec[];
  readonly inputShape?: Shape;
  readonly parameterisation?: Parameterisation;
  /** E.g. `784-128-128-128-10`, `cnn (784-6272-3136-128-10)`. */
  readonly label: string;
}

type Data = Pick<Dataset, 'features' | 'classes' | 'rows' | 'cols' | 'channels'>;

/**
 * The network of the flags for `data` in `orientation`; `defaultLayers` (e.g.
 * '784,128,128,128,10') when neither --arch nor --layers is given, `source`
 * names the data in errors, and `stored` (a resumed run's architecture) is
 * taken instead of re-reading an --arch file. Throws PcError('config').
 */
export function resolveArch(
  flags: ArchFlags,
  orientation: Orientation,
  data: Data,
  source: string,
  defaultLayers: string,
  stored?: ArchitectureSpec,
): ResolvedArch {
  const { arch } = flags;
  const resmlp = arch === 'resmlp';
  if (!resmlp && (flags.depth !== undefined || flags.width !== undefined))
    throw new PcError('config', `--${flags.depth !== undefined ? 'depth' : 'width'} applies only to --arch resmlp. Leave it out, or add --arch resmlp.`);
  if (arch === undefined) {
    if (flags.layers) checkLayers(flags.layers, orientation, data, source);
    const sizes = flags.layers ? [...flags.layers] : layersFromData(defaultLayers, orientation, data);
    // μPC without residual layers is μP for PC: every hidden layer gets JPC's no-skip scale 1/√fan-in.
    if (flags.parameterisation === undefined || flags.parameterisation === 'standard') return { sizes, label: sizes.join('-') };
    return { sizes, parameterisation: flags.parameterisation, label: `${sizes.join('-')}, μPC` };
  }
  if (flags.layers) throw new PcError('config', `--layers and --arch ${arch} both describe the network; give one of them.`);
  const isPreset = (ARCHITECTURES as readonly string[]).includes(arch);
  if (isPreset && arch !== 'mlp' && orientation === 'generative')
    throw new PcError(
      'config',
      `--arch ${arch} is a discriminative network (image in, classes out); a generative model needs a decoder, e.g. an --arch file with dense and conv2d-transpose layers.`,
    );
  // Generative: the label is x_0 and the image the last layer.
  const shape: DataShape =
    orientation === 'generative'
      ? { shape: [1, 1, data.classes], classes: data.features }
      : { shape: [data.rows, data.cols, data.channels], classes: data.classes };
  const spec = stored ?? (isPreset ? presetFor(arch as ArchitectureName, flags, shape) : fileSpec(arch, shape));
  const withParameterisation = flags.parameterisation === undefined ? spec : { ...spec, parameterisation: flags.parameterisation };
  const config = (() => {
    try {
      return architectureConfig(withParameterisation);
    } catch (e) {
      if (e instanceof PcError) throw new PcError(e.code, `--arch ${arch}: ${e.message}`);
      throw e;
    }
  })();
  const [n0, nL] = orientation === 'generative' ? [data.classes, data.features] : [data.features, data.classes];
  const sizes = [...config.sizes];
  if (sizes[0] !== n0 || sizes[sizes.length - 1] !== nL)
    throw new PcError(
      'config',
      `--arch ${arch}: the network takes ${sizes[0]} values in and gives ${sizes[sizes.length - 1]} out, but ${source} needs ${n0} in (${data.rows}×${data.cols}×${data.channels}) and ${nL} out for a ${orientation} model. ${sizes[0] === n0 ? 'End the layers with { "kind": "dense" } (its units then come from the data).' : 'Leave out inputShape (it then comes from the data).'}`,
    );
  return {
    sizes,
    layers: config.layers,
    inputShape: config.inputShape,
    parameterisation: config.parameterisation,
    label: `${isPreset ? arch : 'custom'}${resmlp ? ` depth ${config.layers.length} width ${config.sizes[1]}` : ''} (${sizes.join('-')}${config.parameterisation === 'mupc' ? ', μPC' : ''})`,
  };
}

function presetFor(name: ArchitectureName, flags: ArchFlags, data: DataShape): ArchitectureSpec {
  try {
    return architecture(name, data, { depth: flags.depth, width: flags.width });
  } catch (e) {
    if (e instanceof PcError) throw new PcError(e.code, `--arch ${name}: ${e.message}`);
    throw e;
  }
}

function fileSpec(path: string, data: DataShape): ArchitectureSpec {
  if (!existsSync(path)) throw new PcError('config', `--arch: '${path}' is neither a preset (${ARCHITECTURES.join(', ')}) nor an existing JSON file.`);
  const text = new TextDecoder().decode(readFileChecked(path, { flag: '--arch', maxBytes: 1 << 20, kind: 'a JSON architecture' }));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PcError('config', `--arch ${path}: not valid JSON (${e instanceof Error ? e.message : String(e)}).`);
  }
  return parseArchitecture(json, data, `--arch ${path}`);
}
