/**
 * `pcn generate`: the generative picture run forward — clamp a label at the top
 * of a generative model and read the image layer; or clamp the visible pixels
 * of a partly erased image and let the network fill in the rest. What the
 * first writes the second reads: one sample is written as the digit itself
 * (side×side), several as a grid, and --complete takes either (cells.ts).
 */
import type { Command } from 'commander';
import { PcError } from 'predictive-coding/errors';
import { createBackend } from 'predictive-coding/kernels';
import { GENERATIVE_SAMPLE_NOISE, modelFromCheckpoint } from 'predictive-coding/train';
import { cellsOf, fitsLayout, GRID_GAP, GRID_SCALE } from '../cells.ts';
import { completeImage, type Erase, halfMask, sampleDigits } from '../generative.ts';
import { encodeGreyPng, readGreyPng, tile } from '../images.ts';
import { readCheckpoint, writeFileAtomic } from '../io.ts';
import { choice, integer, number, seed } from '../options.ts';

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
    .option(
      '--count <n>',
      `how many samples: 1 is written as the digit itself (28×28 for MNIST), more as a grid (×${GRID_SCALE}, grey borders)`,
      integer(1, 1024),
      16,
    )
    // Measured on the experiment's model: σ = 0.1 gives varied, clean digits; 0.5 often unreadable ones.
    .option('--noise <σ>', 'standard deviation of the noise drawn into the layer below the label (0: the mean image)', number(0), GENERATIVE_SAMPLE_NOISE)
    .option('--seed <S>', 'seed of the noise', seed, 0)
    .option(
      '--complete <image.png>',
      "a PNG to complete: a digit of the model's size (28×28), the same enlarged k times, or a grid pcn generate wrote (each cell completed); transparent pixels are the erased ones",
    )
    .option(
      '--erase <half>',
      'for an opaque PNG: which half to erase (top|bottom|left|right)',
      choice(['top', 'bottom', 'left', 'right'] as const),
      'bottom' as const,
    )
    .option('--steps <T>', 'relaxation steps for --complete', integer(1, 100_000), 200)
    .action(async (opts: GenerateOptions) => {
      // The bytes are PNG whatever the name: an x.jpg would hold a PNG that viewers and tools trusting the name misread.
      if (!/\.png$/i.test(opts.out))
        throw new PcError('config', `--out: ${opts.out} does not end in .png, but pcn generate writes PNG images. Give it the extension .png.`);
      // Flags first: a model file, however large, is read only for a command that can run.
      if ((opts.label === undefined) === (opts.complete === undefined))
        throw new PcError('config', 'pcn generate: pass exactly one of --label N or --complete IMAGE.png.');
      const ckpt = readCheckpoint(opts.model);
      if (ckpt.config.orientation !== 'generative')
        throw new PcError('config', `pcn generate: ${opts.model} is a discriminative model; train one with --orientation generative.`);
      const backend = await createBackend('auto');
      try {
        const model = modelFromCheckpoint(ckpt, backend);
        const n = model.config.sizes.at(-1)!;
        const side = Math.round(Math.sqrt(n));
        if (side * side !== n)
          throw new PcError(
            'config',
            `pcn generate: ${opts.model} has an image layer of ${n} values, not a square number, so its samples are not square images.`,
          );
        if (opts.label !== undefined) {
          const images = sampleDigits(model, backend, opts.label, opts.count, opts.noise, opts.seed, opts.model);
          const image =
            opts.count === 1 ? { width: side, height: side, data: images[0] } : tile(images, side, side, Math.min(8, opts.count), GRID_SCALE, GRID_GAP);
          writeFileAtomic(opts.out, encodeGreyPng(image), '--out');
          console.log(`wrote ${opts.count === 1 ? `a ${side}×${side} sample` : `${opts.count} samples`} of class ${opts.label} to ${opts.out}`);
        } else {
          const neither = (w: number, h: number) =>
            `--complete: ${opts.complete} is ${w}×${h} pixels, which is neither a ${side}×${side} digit (the model's image layer), one enlarged by a whole factor, nor a grid written by pcn generate. Pass one of those.`;
          // Sizes that fit no layout are refused from the PNG header, before its data is inflated.
          const img = readGreyPng(opts.complete!, (w, h) => (fitsLayout(w, h, side) ? null : neither(w, h)));
          const found = cellsOf(img, side);
          if (!found) throw new PcError('shape', neither(img.width, img.height));
          const rows = found.cells.map(({ data, transparent }) => {
            const visible = transparent ? transparent.map((t) => 1 - t) : halfMask(side, side, opts.erase);
            const filled = completeImage(model, backend, data, visible, opts.steps);
            const erased = Float32Array.from(data, (v, i) => (visible[i] ? v : 0.5));
            return [data, erased, filled];
          });
          writeFileAtomic(opts.out, encodeGreyPng(tile(rows.flat(), side, side, 3, 4)), '--out');
          const what = found.layout === 'grid' ? `${found.cells.length} cells of the grid` : 'the digit';
          console.log(`wrote original | erased | completed for ${what} (one row each) to ${opts.out}`);
        }
      } finally {
        backend.dispose();
      }
    });
}
