/** `pcn eval`: accuracy of a saved model on the held-out split of a dataset. */
import type { Command } from 'commander';
import { initWorkspace } from '../../core/index.ts';
import { PcError } from '../../errors.ts';
import { createBackend } from '../../kernels/index.ts';
import { evaluate, modelFromCheckpoint } from '../../train/index.ts';
import { loadData } from '../datasets.ts';
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
    .option('--data <spec>', "'mnist-embedded' or a directory with the four IDX files", 'mnist-embedded')
    .option('--threads <n>', "matmul threads or 'auto'", threads, 'auto' as const)
    .option('--backend <name>', 'kernels: wasm|js', choice(['wasm', 'js'] as const), 'wasm' as const)
    .option('--json', 'print one JSON object', false)
    .action(async (opts: EvalOptions) => {
      const ckpt = readCheckpoint(opts.model);
      if (ckpt.config.orientation !== 'discriminative')
        throw new PcError('config', `pcn eval: ${opts.model} is a generative model; evaluate it with pcn experiment generative.`);
      const data = await loadData(opts.data);
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
