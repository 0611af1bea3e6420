#!/usr/bin/env bash
# Real-time mode benchmark (not a test): a 25 fps 640x360 "camera" (samples/blurred.mp4 looped, paced by
# ffmpeg -re) piped into deblur-video --realtime MODE; prints deblur-video's own summary (share of frames
# deblurred, latency p50/p95 decode→encode) and checks that every input frame reached the output.
# Usage: benchmarks/realtime.sh [mode=downscale] [loops=1] [extra deblur-video flags…]
set -euo pipefail
mode="${1:-downscale}"; loops="${2:-1}"; shift $(( $# > 2 ? 2 : $# )) || true
source "$(dirname "$0")/common.sh"
ffmpeg -hide_banner -loglevel error -re -stream_loop "$loops" -i samples/blurred.mp4 -an -c:v ffv1 -f nut - \
    | "$bin" - -o "$tmp/out.mkv" --realtime "$mode" --quiet "$@"
in_frames=$(( 75 * (loops + 1) ))
out_frames="$(ffprobe -v error -select_streams v:0 -count_frames -show_entries stream=nb_read_frames -of csv=p=0 "$tmp/out.mkv")"
echo "input frames: $in_frames, output frames: $out_frames; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$in_frames" != "$out_frames" ]; then echo "FAIL: frames were lost" >&2; exit 1; fi
