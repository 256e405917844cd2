#!/usr/bin/env bash
# Time and peak RSS of `export --format hf` on a sharded checkpoint of a GPT-2-shaped model (default
# 36 layers, d=1280: about 3.1 GB fp32), against the largest shard. Not part of npm test; needs Debian's
# python3 with torch and onnx, and `npm run build`. Usage: hf-export.sh [WORK_DIR] [make_gpt2_shaped flags]
set -euo pipefail
work="${1:-/tmp/aura-hf-bench}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
flags="${*:---layers 36 --d 1280}"
mkdir -p "$work"
[ -f "$work/onnx/model.onnx" ] || /usr/bin/python3 "$here/make_gpt2_shaped.py" "$work/onnx" --layout "${LAYOUT:-per-tensor}" $flags
[ -f "$work/hf/model.safetensors.index.json" ] || /usr/bin/python3 "$here/make_hf_checkpoint.py" "$work/onnx" "$work/hf" --shard-mb "${SHARD_MB:-1000}"
rm -rf "$work/folded"
/usr/bin/time -v node "$here/../../bin/aura-lens.js" export "$work/hf-bench-iv.json" --model "$work/onnx" --format hf \
  --checkpoint "$work/hf" --out "$work/folded" --json 2> "$work/time.txt"
grep -E "Elapsed|Maximum resident" "$work/time.txt"
ls -l "$work/hf" | awk '/safetensors$/ {print $5, $9}' | sort -n | tail -1 | awk '{printf "largest shard: %.1f MB (%s)\n", $1/1048576, $2}'
