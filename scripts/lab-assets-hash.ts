/**
 * The fingerprint of everything the lab's shipped assets are made from: the
 * library's sources and embedded digits (kernels, training, presets), the lab's
 * model recipes and the asset script itself. Equal fingerprints make equal
 * assets, so `npm run build:lab` skips the two minutes of training when
 * nothing they depend on changed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The inputs, relative to the repository root: folders are read recursively, in sorted order. */
export const LAB_ASSET_INPUTS = [
  'packages/predictive-coding/src',
  'packages/predictive-coding/data',
  'lab/src/lab-models.ts',
  'scripts/build-lab-assets.ts',
  'scripts/lab-assets-hash.ts',
] as const;

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
}

/** SHA-256 (hex) over each input file's path and bytes, under `root`. */
export function labAssetsHash(root: string, inputs: readonly string[] = LAB_ASSET_INPUTS): string {
  const hash = createHash('sha256');
  for (const input of inputs)
    for (const file of filesUnder(join(root, input))) {
      hash.update(`${relative(root, file)}\0`);
      hash.update(readFileSync(file));
      hash.update('\0');
    }
  return hash.digest('hex');
}
