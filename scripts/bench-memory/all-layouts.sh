#!/usr/bin/env bash
# Builds a GPT-2-small-shaped model (12 layers, d=768) in the three weight layouts under $1 (default
# /tmp/aura-bench-models) and runs the memory benchmark on each; results go to $1/memory-<layout>.json.
# Not part of npm test. Needs Debian's python3 with torch and onnx. Pass extra flags for a bigger model,
# e.g. `--layers 32 --d 1280` (about 2.4 GB, past protobuf's 2 GB limit: then only single and per-tensor).
set -euo pipefail
out="${1:-/tmp/aura-bench-models}"
shift || true
here="$(cd "$(dirname "$0")" && pwd)"
layouts="${LAYOUTS:-inline single per-tensor}"
for layout in $layouts; do
  [ -d "$out/$layout" ] || /usr/bin/python3 "$here/make_gpt2_shaped.py" "$out/$layout" --layout "$layout" "$@"
  node --import tsx "$here/run.ts" "$out/$layout" --texts "${TEXTS:-40}" ${COMMANDS:+--commands "$COMMANDS"} --out "$out/memory-$layout.json" > /dev/null
done
