#!/usr/bin/env bash
# Runs on a GPU machine lent through the device tool, from the repository root, with the kit
# scripts/gpu-kit.sh built carried along: the figures issue 12 asks of a GPU, written under $OUT
# (one file each, plus log.txt). Each step has its own time limit so that one slow step cannot
# take the others' device minutes. CIFAR-10-shaped data is random bytes made here (the
# JPEG copy does not fit the carry limit): its s/epoch figures are real, its accuracies are not.
set -u
k=scratch/gpu-kit
out=${OUT:-/tmp/out}
mkdir -p "$out"
exec > >(tee "$out/log.txt") 2>&1
xz -dc "$k/node.xz" >/tmp/node && chmod +x /tmp/node
tar -C "$k" -xJf "$k/dawn.tar.xz"
for f in "$k"/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f "$icd" ] && export VK_DRIVER_FILES=$icd
nvidia-smi --query-gpu=name,clocks.max.sm,memory.total --format=csv | tee "$out/gpu.csv"
node=/tmp/node
step() { # step SECONDS FILE COMMAND...: the command's stdout into $out/FILE, its time in the log
  local limit=$1 file=$2
  shift 2
  echo "== $file: $*"
  local t0=$SECONDS
  # -k: pcn finishes its batch and saves on SIGTERM; past 20 s more it is killed.
  timeout -k 20 "$limit" "$@" >"$out/$file"
  echo "== $file: exit $?, $((SECONDS - t0)) s"
}
step 120 kernels.json "$node" "$k/bin/kernels.mjs" --backends webgpu --ops matmul,conv --json
step 60 mlp-t5-wasm.json "$node" "$k/bin/pcx.mjs" --backend wasm --threads 16 --datasets mnist --mnist "$k/mnist" --epochs 1 --steps 5 --json
step 150 mlp-t5.json "$node" "$k/bin/pcx.mjs" --backend webgpu --datasets mnist --mnist "$k/mnist" --epochs 1 --steps 5 --json
python3 - <<'PY'
import os, numpy as np
d = '/tmp/cifar'; os.makedirs(d, exist_ok=True)
rng = np.random.default_rng(0)
for name in [f'data_batch_{i}.bin' for i in range(1, 6)] + ['test_batch.bin']:
    rec = np.empty((10000, 3073), np.uint8)
    rec[:, 0] = rng.integers(0, 10, 10000)
    rec[:, 1:] = rng.integers(0, 256, (10000, 3072))
    rec.tofile(os.path.join(d, name))
PY
step 150 cnn-cifar.json "$node" "$k/bin/pcn.mjs" train --backend webgpu --arch cnn-cifar --data /tmp/cifar --epochs 1 --steps 5 --json --no-progress --out /tmp/r-cnn
step 240 vgg5.json "$node" "$k/bin/pcn.mjs" train --backend webgpu --arch "$k/vgg5.json" --data /tmp/cifar --epochs 1 --steps 5 --json --no-progress --out /tmp/r-vgg
step 150 compare.json "$node" "$k/bin/pcn.mjs" compare --backend webgpu --data "$k/mnist" --epochs 1 --seeds 1 --steps 5 --cosine-every 1000 --json
