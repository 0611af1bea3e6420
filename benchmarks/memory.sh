#!/usr/bin/env bash
# Memory benchmark (not a test): peak RSS of deblur-video on a 3840×2160 clip vs the ffmpeg CLI on the same clip.
#   ours        deblur-video X -o Y                          (defaults: above 1440p one worker, 384-px tiles)
#   2 workers   deblur-video X -o Y --threads 2 --tile 512   (the defaults below 1440p)
#   none        deblur-video X -o Y --method none            (decode → encode; YUV handed on)
#   ffmpeg      ffmpeg -i X -c:v libx264 -preset veryfast Y  (the peer: same encoder and preset as ours)
# Use at least 12 frames: x264 keeps ~16 frames in flight, so shorter clips understate everyone's peak.
# Usage: benchmarks/memory.sh [frames=12]      (needs /usr/bin/time: apt install time)
set -euo pipefail
frames="${1:-12}"
source "$(dirname "$0")/common.sh"
clip="$tmp/clip-4k.mp4"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=3840x2160:r=25" -frames:v "$frames" \
    -c:v libx264 -preset ultrafast -pix_fmt yuv420p "$clip"

row() {  # name, then the command
    local name="$1"; shift
    rm -f "$tmp/out.mp4"
    read -r t m < <(measure "$@")
    printf "%-22s %9.1f %12d %9.2f\n" "$name" "$t" "$m" "$(echo "$frames / $t" | bc -l)"
}
echo "clip: 3840x2160, $frames frames (testsrc2); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf "%-22s %9s %12s %9s\n" "run" "time (s)" "peak KiB" "frames/s"
row "ours (default)" "$bin" "$clip" -o "$tmp/out.mp4" --quiet
row "ours 2 workers, 512" "$bin" "$clip" -o "$tmp/out.mp4" --quiet --threads 2 --tile 512
row "ours --method none" "$bin" "$clip" -o "$tmp/out.mp4" --quiet --method none
row "ffmpeg x264 veryfast" ffmpeg -hide_banner -loglevel error -y -i "$clip" -c:v libx264 -preset veryfast "$tmp/out.mp4"
echo "target: ours (default) < 1.5 GB = 1572864 KiB"
