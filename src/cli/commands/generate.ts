/**
 * `pcn generate`: the lecture's picture run forward — clamp a label at the top
 * of a generative model and read the image layer; or clamp the visible pixels
 * of a partly erased image and let the network fill in the rest.
 */
import type { Command } from 'commander';
import { PcError } from '../../errors.ts';
import { createBackend } from '../../kernels/index.ts';
import { modelFromCheckpoint } from '../../train/index.ts';
import { completeImage, type Erase, halfMask, sampleDigits } from '../generative.ts';
import { readGreyPng, tile, writeGreyPng } from '../images.ts';
import { readCheckpoint } from '../io.ts';
import { choice, integer, number } from '../options.ts';

interface GenerateOptions {
  model: string;
  out: string;
  label?: number;
  count: number;
  noise: number;
  seed: number;
  complete?: string;
  erase: Erase;
  steps: number;
}

export function registerGenerate(program: Command): void {
  program
    .command('generate')
    .description('draw digits from a generative model (--label), or complete a partly erased image (--complete)')
    .requiredOption('--model <file>', 'a generative checkpoint (pcn train --orientation generative)')
    .requiredOption('--out <file.png>', 'where to write the PNG')
    .option('--label <n>', 'class to generate', integer(0, 1_000_000))
    .option('--count <n>', 'how many samples', integer(1, 1024), 16)
    // Measured on the experiment's model: σ = 0.1 gives varied, clean digits; 0.5 often unreadable ones.
    .option('--noise <σ>', 'standard deviation of the noise drawn into the layer below the label (0: the mean image)', number(0), 0.1)
    .option('--seed <S>', 'seed of the noise', integer(0, 2 ** 32 - 1), 0)
    .option('--complete <image.png>', 'a 28×28-style greyscale PNG to complete; transparent pixels are the erased ones')
    .option(
      '--erase <half>',
      'for an opaque PNG: which half to erase (top|bottom|left|right)',
      choice(['top', 'bottom', 'left', 'right'] as const),
      'bottom' as const,
    )
    .option('--steps <T>', 'relaxation steps for --complete', integer(1, 100_000), 200)
    .action(async (opts: GenerateOptions) => {
      const ckpt = readCheckpoint(opts.model);
      if (ckpt.config.orientation !== 'generative')
        throw new PcError('config', `pcn generate: ${opts.model} is a discriminative model; train one with --orientation generative.`);
      if ((opts.label === undefined) === (opts.complete === undefined))
        throw new PcError('config', 'pcn generate: pass exactly one of --label N or --complete IMAGE.png.');
      const backend = await createBackend('auto');
      try {
        const model = modelFromCheckpoint(ckpt, backend);
        const side = Math.round(Math.sqrt(model.config.sizes.at(-1)!));
        if (opts.label !== undefined) {
          const images = sampleDigits(model, backend, opts.label, opts.count, opts.noise, opts.seed, opts.model);
          writeGreyPng(opts.out, tile(images, side, side, Math.min(8, opts.count), 3));
          console.log(`wrote ${opts.count} samples of class ${opts.label} to ${opts.out}`);
        } else {
          const n = model.config.sizes.at(-1)!;
          const img = readGreyPng(opts.complete!, n); // checks the size before inflating the image data
          if (img.width * img.height !== n)
            throw new PcError(
              'shape',
              `pcn generate: ${opts.complete} is ${img.width}×${img.height} = ${img.width * img.height} pixels; the model's image layer has ${n}.`,
            );
          const visible = img.transparent ? img.transparent.map((t) => 1 - t) : halfMask(img.width, img.height, opts.erase);
          const filled = completeImage(model, backend, img.data, visible, opts.steps);
          const erased = Float32Array.from(img.data, (v, i) => (visible[i] ? v : 0.5));
          writeGreyPng(opts.out, tile([img.data, erased, filled], img.width, img.height, 3, 4));
          console.log(`wrote original | erased | completed to ${opts.out}`);
        }
      } finally {
        backend.dispose();
      }
    });
}
