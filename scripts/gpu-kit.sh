#!/usr/bin/env bash
# Builds scratch/gpu-kit: what a GPU machine lent through the device tool needs to measure the
# webgpu backend (docs/webgpu.md, "Figures on a GPU") — that machine has no Node, no npm and no
# network. Bundles of pcn and the two benchmarks, Dawn's Linux build (npm `webgpu`), this
# machine's Node binary (xz), Debian's Vulkan loader, the MNIST files, the VGG-5-size net and the
# script that runs there (scripts/gpu-figures.sh). About 45 MB; the device tool carries at most 64 MiB.
#
#   bash scripts/gpu-kit.sh [MNIST_DIR]      (default ../shared/data/mnist)
# then, with a device lent: run with carry ["scratch/gpu-kit"] and the command
#   bash scratch/gpu-kit/gpu-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
kit=scratch/gpu-kit
mnist=${1:-../shared/data/mnist}
rm -rf "$kit"
mkdir -p "$kit/webgpu/node_modules/webgpu/dist"
banner="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);"
# The bundles sit in bin/ under a copy of the CLI's package.json, which pcn reads (../package.json) for its version.
for pair in packages/pcn/src/main.ts:pcn bench/kernels.ts:kernels bench/pcx.ts:pcx; do
  node_modules/.bin/esbuild "${pair%%:*}" --bundle --conditions=predictive-coding-source --platform=node --format=esm --external:webgpu --log-level=warning \
    --banner:js="$banner" --outfile="$kit/bin/${pair##*:}.mjs"
done
cp packages/pcn/package.json "$kit/package.json"
# Dawn as node_modules/webgpu beside the bundles once unpacked there (xz: 21 → ~6 MB).
cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$kit/webgpu/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$kit/webgpu/node_modules/webgpu/dist/"
tar -C "$kit/webgpu" -cJf "$kit/dawn.tar.xz" node_modules
rm -rf "$kit/webgpu"
xz -T0 -6 -c "$(readlink -f "$(command -v node)")" >"$kit/node.xz"
(cd "$kit" && apt-get download -q libvulkan1 2>/dev/null >/dev/null)
mkdir -p "$kit/mnist"
cp "$mnist"/*-ubyte* "$kit/mnist/"
cp bench/vgg5.json scripts/gpu-figures.sh "$kit/"
du -sh "$kit"
