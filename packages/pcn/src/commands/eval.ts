/**
 * `pcn eval`: accuracy of a saved model on the held-out split of a dataset.
 * A discriminative model classifies by a forward pass; a generative one by
 * relaxing its label layer with the image clamped (evaluate(), under the
 * label prior GENERATIVE_PRIOR_WEIGHT), as pcn train's per-epoch evaluation does.
 */
import type { Command } from 'commander';
import { initWorkspace } from 'predictive-coding/core';
import { PcError } from 'predictive-coding/errors';
import { type Backend, type BackendArray, cpuBackendName, createBackend } from 'predictive-coding/kernels';
import { loadTestSet } from 'predictive-coding/node';
import { type Checkpoint, evaluateAsync, GENERATIVE_EVAL_RELAX, type LabeledData, modelFromCheckpoint } from 'predictive-coding/train';
import { readCheckpoint } from '../io.ts';
import { choice, integer, threads } from '../options.ts';
import { count } from '../plural.ts';

interface EvalOptions {
  model: string;
  data: string;
  threads: number | 'auto';
  backend: 'cpu' | 'wasm' | 'native' | 'js' | 'webgpu';
  evalSteps: number;
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
    .option(
      '--eval-steps <T>',
      "generative models: relaxation steps to classify a test image (as pcn train's --eval-steps)",
      integer(1, 100_000),
      GENERATIVE_EVAL_RELAX.steps,
    )
    .option('--threads <n>', "matmul threads or 'auto'", threads, 'auto' as const)
    .option(
      '--backend <name>',
      'kernels: cpu|native|wasm|js|webgpu (cpu: native where npm install built its C++ addon, else wasm; a GPU: each batch read back once)',
      choice(['cpu', 'native', 'wasm', 'js', 'webgpu'] as const),
      'cpu' as const,
    )
    .option('--json', 'print one JSON object', false)
    .action(async (opts: EvalOptions) => {
      const ckpt = readCheckpoint(opts.model);
      const generative = ckpt.config.orientation === 'generative';
      const data = await loadTestSet(opts.data, '--data');
      // A generative model holds the label at x_0 and the image at x_L.
      const [n0, nL] = [ckpt.config.sizes[0], ckpt.config.sizes.at(-1)!];
      const [image, classes] = generative ? [nL, n0] : [n0, nL];
      if (data.test.features !== image || data.test.classes !== classes)
        throw new PcError(
          'data',
          `pcn eval: ${opts.model} takes ${image} values per image and ${classes} classes, but ${data.test.name} has ${data.test.features} (${data.test.rows}×${data.test.cols}) and ${data.test.classes}. Evaluate it on the data it was trained on.`,
        );
      const relax = { ...GENERATIVE_EVAL_RELAX, steps: opts.evalSteps };
      // 'cpu' names the backend it resolves to, in the output.
      const on = opts.backend === 'cpu' ? await cpuBackendName() : opts.backend;
      opts.backend = on;
      const acc =
        on === 'webgpu'
          ? await accuracyOn(await createBackend('webgpu'), ckpt, data.test, relax)
          : await accuracyOn(await createBackend(on, { threads: opts.threads }), ckpt, data.test, relax);
      const how = generative ? `, each classified by ${count(opts.evalSteps, 'relaxation step')}` : '';
      if (opts.json)
        console.log(
          JSON.stringify({
            test_acc: acc,
            count: data.test.count,
            data: data.source,
            backend: opts.backend,
            ...(generative ? { eval_steps: opts.evalSteps } : {}),
          }),
        );
      else
        console.log(`held-out accuracy: ${(100 * acc).toFixed(2)} % (${count(data.test.count, 'example')} of ${data.source}${how}; ${opts.backend} backend)`);
    });
}

// The checkpoint's accuracy on `test`, on `backend` (disposed after).
async function accuracyOn<T extends BackendArray>(
  backend: Backend<T>,
  ckpt: Checkpoint,
  test: LabeledData,
  relax: typeof GENERATIVE_EVAL_RELAX,
): Promise<number> {
  try {
    const model = modelFromCheckpoint(ckpt, backend);
    return await evaluateAsync(model, initWorkspace(model, 500, backend), test, relax);
  } finally {
    backend.dispose();
  }
}
