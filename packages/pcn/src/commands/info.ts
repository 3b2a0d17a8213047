/**
 * `pcn info`: what a checkpoint holds. What comes from the file is shown, never
 * obeyed: every key and value is escaped for the terminal (printable.ts), and
 * the file's metadata is listed under its own key, so an entry named
 * "parameters" or "sizes" cannot pass itself off as a computed field.
 */
import type { Command } from 'commander';
import { parameterCount } from 'predictive-coding/core';
import { printable, printableJson } from 'predictive-coding/errors';
import { architectureOf, describeArchitecture } from 'predictive-coding/train';
import { readCheckpoint } from '../io.ts';

/** Metadata the checkpoint format itself writes, shown as the computed fields (network, optimizer) instead. */
const FORMAT_KEYS = new Set(['format', 'version', 'config', 'crc32', 'optimizer', 'optimizer_step']);

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('describe a saved model')
    .requiredOption('--model <file>', 'checkpoint (.safetensors)')
    .option('--json', 'print one JSON object; the file\'s own entries are under "metadata"', false)
    .action((opts: { model: string; json: boolean }) => {
      const ckpt = readCheckpoint(opts.model);
      const { config } = ckpt;
      const metadata = Object.fromEntries(Object.entries(ckpt.metadata).filter(([k]) => !FORMAT_KEYS.has(k)));
      const info = {
        file: opts.model,
        orientation: config.orientation,
        sizes: config.sizes,
        activations: config.activations,
        output_energy: config.outputEnergy,
        output_weight: config.outputWeight,
        parameters: parameterCount(config),
        architecture: architectureOf(config),
        optimizer: ckpt.optimizer ? { ...ckpt.optimizer.config, step: ckpt.optimizer.step } : null,
        metadata,
      };
      if (opts.json) {
        console.log(printableJson(info));
        return;
      }
      const text = (v: unknown) => printable(typeof v === 'string' ? v : JSON.stringify(v));
      console.log(text(opts.model));
      console.log(
        `  network     ${config.sizes.join('-')} (${text(config.orientation)}), activations ${config.activations.map(text).join(', ')}, output energy ${text(config.outputEnergy)}${config.outputWeight === 1 ? '' : ` weighted β ${config.outputWeight}`}`,
      );
      // Layer lines are computed from the validated config (numbers and known kinds only), so they need no escaping.
      const dense = config.layers.every((s) => s.kind === 'dense' && !s.residual) && config.parameterisation === 'standard';
      if (!dense) {
        console.log(`  input       [${config.inputShape.join(', ')}], parameterisation ${config.parameterisation}`);
        for (const line of describeArchitecture(config)) console.log(`  layer       ${line}`);
      }
      console.log(`  parameters  ${info.parameters.toLocaleString('en-US')}`);
      if (ckpt.optimizer)
        console.log(`  optimizer   ${text(ckpt.optimizer.config.name)}, lr ${text(ckpt.optimizer.config.lr)}, step ${text(ckpt.optimizer.step)}`);
      for (const [k, v] of Object.entries(metadata)) console.log(`  metadata    ${text(k)} = ${text(v)}`);
    });
}
