#!/usr/bin/env bash
# The packages as a user gets them (CI runs this; `npm run check:package`): both are built and
# packed, linted by publint and arethetypeswrong, then installed from their tarballs into empty
# projects — the library alone (what it adds besides itself, a plain-node ESM script, tsc consumers
# with module node16 and bundler on the oldest supported TypeScript and on the repository's), and
# the CLI (`npx pcn train --epochs 1`). Needs the npm registry (TypeScript, the CLI's dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
MIN_TS=5.0
TS=$(node -p "require('typescript/package.json').version")
# What a library-only install may add to node_modules besides the package itself (issue 14).
BUDGET=2000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

npm run build >/dev/null
(cd packages/predictive-coding && npm pack --silent --pack-destination "$work" >/dev/null)
(cd packages/pcn && npm pack --silent --pack-destination "$work" >/dev/null)
lib=$(ls "$work"/predictive-coding-0*.tgz)
cli=$(ls "$work"/predictive-coding-cli-*.tgz)
npx publint --strict packages/predictive-coding
npx publint --strict packages/pcn
# ESM only by design (README): CommonJS loads it with import(), so attw's node10 and require() rows do not apply.
npx attw "$lib" --profile esm-only --format table-flipped

mkdir "$work/lib" && cd "$work/lib"
npm init -y >/dev/null && npm pkg set type=module
npm install --silent --no-audit --no-fund "$lib"
added=$(($(du -sb node_modules | cut -f1) - $(du -sb node_modules/predictive-coding | cut -f1)))
echo "library install: $(ls node_modules | tr '\n' ' ')— $added bytes besides the package ($(du -sb node_modules/predictive-coding | cut -f1) bytes itself)"
[ "$added" -le "$BUDGET" ] || { echo "a library install adds $added bytes besides the package: over the $BUDGET-byte budget" >&2; exit 1; }

cat >train.mjs <<'EOF'
import { createBackend, evaluate, fit, loadEmbeddedDigits, PCX_MLP, presetFitOptions, presetModel, subset } from 'predictive-coding';
const { train, test } = await loadEmbeddedDigits();
const backend = await createBackend('auto');
const net = presetModel(PCX_MLP, backend, 0);
await fit(net.model, net.optimizer, net.workspace, subset(train, Array.from({ length: 2048 }, (_, i) => i * 3)), null, presetFitOptions(PCX_MLP, 2, 0));
const acc = evaluate(net.model, net.workspace, test);
console.log(`plain node ESM: ${backend.name} backend, held-out accuracy ${(100 * acc).toFixed(1)} %`);
if (!(acc > 0.5)) process.exit(1);
EOF
node train.mjs

cat >use.ts <<'EOF'
import { createBackend, fit, GENERATIVE_MLP, loadEmbeddedDigits, PcError, type Preset, presetFitOptions, presetModel } from 'predictive-coding';
import { createConfig } from 'predictive-coding/core';
import { matmul, tensor } from 'predictive-coding/kernels';
import { decodeCheckpoint } from 'predictive-coding/train';
import { datasetFromIdxBytes } from 'predictive-coding/data';
const preset: Preset = GENERATIVE_MLP;
const { train } = await loadEmbeddedDigits();
const backend = await createBackend('wasm');
const net = presetModel(preset, backend, 1);
await fit(net.model, net.optimizer, net.workspace, train, null, presetFitOptions(preset, 1, 1));
export const used = [PcError, createConfig, matmul, tensor, decodeCheckpoint, datasetFromIdxBytes];
EOF
for ts in "$MIN_TS" "$TS"; do
  npm install --silent --no-audit --no-fund --no-save "typescript@$ts" "@types/node@20"
  for mode in "node16 node16" "esnext bundler"; do
    set -- $mode
    # Strict, no skipLibCheck, no DOM: the shipped declarations themselves are checked.
    printf '{"compilerOptions":{"module":"%s","moduleResolution":"%s","target":"es2022","lib":["es2022"],"types":["node"],"strict":true,"noEmit":true},"files":["use.ts"]}\n' "$1" "$2" >tsconfig.json
    npx tsc -p . && echo "tsc $ts, module $1: no errors"
  done
done

mkdir "$work/cli" && cd "$work/cli"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "$lib" "$cli"
npx pcn train --epochs 1 --no-progress | tee out.txt
grep -q 'held-out accuracy' out.txt
cd "$repo"
echo "packages: all checks passed"
