/** `pcn eval`: accuracy of a saved model on the held-out split of a dataset. */
import type { Command } from 'commander';
import { initWorkspace } from '../../core/index.ts';
import { PcError } from '../../errors.ts';
import { createBackend } from '../../kernels/index.ts';
import { evaluate, modelFromCheckpoint } from '../../train/index.ts';
import { loadTestSet } from '../datasets.ts';
import { readCheckpoint } from '../io.ts';
import { choice, threads } from '../options.ts';

interface EvalOptions {
  model: string;
  data: string;
  threads: number | 'auto';
  backend: 'wasm' | 'js';
  json: boolean;
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('held-out accuracy of a saved model')
    .requiredOption('--model <file>', 'checkpoint written by pcn train (.safetensors)')
    .option(
      '--data <spec>',
      "'mnist-embedded' or a folder with the test files t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each optionally .gz)",
      'mnist-embedded',
    )
    .option('--threads <n>', "matmul threads or 'auto'", threads, 'auto' as const)
    .option('--backend <name>', 'kernels: wasm|js', choice(['wasm', 'js'] as const), 'wasm' as const)
    .option('--json', 'print one JSON object', false)
    .action(async (opts: EvalOptions) => {
      const ckpt = readCheckpoint(opts.model);
      if (ckpt.config.orientation !== 'discriminative')
        throw new PcError('config', `pcn eval: ${opts.model} is a generative model; evaluate it with pcn experiment generative.`);
      const data = await loadTestSet(opts.data);
      const [n0, nL] = [ckpt.config.sizes[0], ckpt.config.sizes.at(-1)!];
      if (data.test.features !== n0 || data.test.classes !== nL)
        throw new PcError(
          'data',
          `pcn eval: ${opts.model} takes ${n0} values per image and ${nL} classes, but ${data.test.name} has ${data.test.features} (${data.test.rows}×${data.test.cols}) and ${data.test.classes}. Evaluate it on the data it was trained on.`,
        );
      const backend = await createBackend(opts.backend, { threads: opts.threads });
      try {
        const model = modelFromCheckpoint(ckpt, backend);
        const acc = evaluate(model, initWorkspace(model, 500, backend), data.test);
        if (opts.json) console.log(JSON.stringify({ test_acc: acc, count: data.test.count, data: data.source }));
        else console.log(`held-out accuracy: ${(100 * acc).toFixed(2)} % (${data.test.count.toLocaleString('en-US')} examples of ${data.source})`);
      } finally {
        backend.dispose();
      }
    });
}
