/**
 * Runs a command (argv) on a WebGPU adapter: the machine's own GPU where Dawn finds one, and otherwise,
 * where Debian's `chromium` is installed, its SwiftShader Vulkan driver — WebGPU on the CPU, for
 * correctness tests without a GPU. A driver the caller chose (VK_ICD_FILENAMES set) is left alone.
 *
 *   tsx scripts/with-swiftshader.ts vitest run --config vitest.webgpu.config.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { requestGpu } from '../packages/predictive-coding/src/kernels/webgpu/device.ts';

const CHROMIUM = '/usr/lib/chromium';
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;
const env = { ...process.env };
if (env.VK_ICD_FILENAMES === undefined && existsSync(ICD)) {
  // Dawn prints its own warning when it finds no Vulkan loader; that is the answer sought here.
  const own = await requestGpu();
  if (typeof own === 'string') {
    env.VK_ICD_FILENAMES = ICD;
    // Chromium's own libvulkan.so.1: Debian does not install the loader with chromium.
    env.LD_LIBRARY_PATH = env.LD_LIBRARY_PATH ? `${CHROMIUM}:${env.LD_LIBRARY_PATH}` : CHROMIUM;
    // Dawn has just printed "Couldn't load Vulkan" (no loader outside Chromium's folder): expected here.
    console.error("with-swiftshader: no GPU adapter; using Chromium's SwiftShader driver (Dawn's Vulkan warning above is expected)");
  } else {
    console.error(`with-swiftshader: using ${own.adapter}`);
    own.device.destroy();
  }
}
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: tsx scripts/with-swiftshader.ts COMMAND [ARGS…]');
  process.exit(2);
}
const r = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
if (r.error) console.error(`with-swiftshader: ${r.error.message}`);
process.exit(r.status ?? 1);
