/**
 * Runs a command (argv) with Dawn pointed at Chromium's SwiftShader Vulkan driver when this machine
 * has Debian's `chromium` and the caller has not chosen a driver: WebGPU on the CPU, for correctness
 * tests without a GPU. Elsewhere (a real GPU, or a driver already chosen) the command runs as is.
 *
 *   tsx scripts/with-swiftshader.ts vitest run --config vitest.webgpu.config.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/lib/chromium';
const ICD = `${CHROMIUM}/vk_swiftshader_icd.json`;
const env = { ...process.env };
if (env.VK_ICD_FILENAMES === undefined && existsSync(ICD)) {
  env.VK_ICD_FILENAMES = ICD;
  // Chromium's own libvulkan.so.1: Debian does not install the loader with chromium.
  env.LD_LIBRARY_PATH = env.LD_LIBRARY_PATH ? `${CHROMIUM}:${env.LD_LIBRARY_PATH}` : CHROMIUM;
}
const [command, ...args] = process.argv.slice(2);
if (!command) {
  console.error('usage: tsx scripts/with-swiftshader.ts COMMAND [ARGS…]');
  process.exit(2);
}
const r = spawnSync(command, args, { stdio: 'inherit', env, shell: process.platform === 'win32' });
if (r.error) console.error(`with-swiftshader: ${r.error.message}`);
process.exit(r.status ?? 1);
