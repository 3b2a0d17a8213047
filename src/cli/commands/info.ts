/** `pcn info`: what a checkpoint holds. */
import type { Command } from 'commander';
import { parameterCount } from '../../core/index.ts';
import { readCheckpoint } from '../io.ts';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('describe a saved model')
    .requiredOption('--model <file>', 'checkpoint (.safetensors)')
    .option('--json', 'print one JSON object', false)
    .action((opts: { model: string; json: boolean }) => {
      const ckpt = readCheckpoint(opts.model);
      const { config, metadata } = ckpt;
      const { config: _c, crc32: _crc, format: _f, optimizer: _o, optimizer_step: _s, ...meta } = metadata;
      const info = {
        file: opts.model,
        orientation: config.orientation,
        sizes: config.sizes,
        activations: config.activations,
        output_energy: config.outputEnergy,
        parameters: parameterCount(config),
        optimizer: ckpt.optimizer ? { ...ckpt.optimizer.config, step: ckpt.optimizer.step } : null,
        ...meta,
      };
      if (opts.json) {
        console.log(JSON.stringify(info));
        return;
      }
      console.log(`${opts.model}`);
      console.log(
        `  network     ${config.sizes.join('-')} (${config.orientation}), activations ${config.activations.join(', ')}, output energy ${config.outputEnergy}`,
      );
      console.log(`  parameters  ${info.parameters.toLocaleString('en-US')}`);
      if (ckpt.optimizer) console.log(`  optimizer   ${ckpt.optimizer.config.name}, lr ${ckpt.optimizer.config.lr}, step ${ckpt.optimizer.step}`);
      for (const [k, v] of Object.entries(meta)) console.log(`  ${k.padEnd(11)} ${v}`);
    });
}
