#!/usr/bin/env bash
# The benchmark command (not a test): every peer comparison, measured in one run on this machine.
#   1. pipeline: deblur-video --method none vs the ffmpeg CLI transcoding the same 720p clip
#   2. layers:   DeblurNet per-layer times vs PyTorch CPU, same shapes and threads
#   3. model:    the generator in deblur-video vs the PyTorch reference, same weights and frames
#   4. memory:   peak RSS on a 4K clip vs the ffmpeg CLI on the same clip
# Needs a release build and, for 2 and 3, `pip install torch==2.13.0+cpu safetensors`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
threads="${THREADS:-2}"
echo "== pipeline overhead (deblur-video --method none vs ffmpeg CLI)"
bash benchmarks/pipeline.sh 10 3
echo
echo "== layers (DeblurNet vs PyTorch, $threads threads)"
swift build -c release --product bench-layers >/dev/null
tmp="$(mktemp)"; trap 'rm -f "$tmp"' EXIT
python3 benchmarks/layers/torch_layers.py --threads "$threads" --backward --reps 5 > "$tmp"
"$(swift build -c release --show-bin-path)/bench-layers" --threads "$threads" --backward --reps 5 --torch "$tmp"
if [ -f benchmarks/model.sh ]; then
  echo
  echo "== model (deblur-video gan vs PyTorch reference)"
  bash benchmarks/model.sh
fi
echo
echo "== memory (4K, deblur-video vs ffmpeg CLI)"
bash benchmarks/memory.sh 12
