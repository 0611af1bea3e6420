#!/usr/bin/env bash
# Makes the sample clips in samples/ with the ffmpeg CLI (deterministic, no downloads).
#   samples/sharp.mp4    640x360, 25 fps, 3 s: a Mandelbrot texture panning right at 300 px/s, 440 Hz tone (AAC)
#   samples/blurred.mp4  the same scene with real motion blur: rendered at 125 fps, each output frame the
#                        average of 5 consecutive renders (tmix, a 1/25 s shutter, ~12 px streaks);
#                        frame k of sharp.mp4 is the middle render of blurred frame k's exposure
#   samples/sharp.png, samples/blurred.png   frame 40 of each (the sharp/blurred pair for quick metrics)
# Usage: scripts/make-samples.sh [output-dir]   (default: samples/)
set -euo pipefail
out="${1:-$(dirname "$0")/../samples}"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
ff=(ffmpeg -hide_banner -loglevel error -y)

"${ff[@]}" -f lavfi -i "mandelbrot=s=1600x360:start_scale=2.5" -frames:v 1 "$tmp/texture.png"
pan="crop=640:360:x='t*300':y=0"
audio=(-f lavfi -i "sine=frequency=440:sample_rate=48000:duration=3")
x264=(-c:v libx264 -preset medium -crf 20 -pix_fmt yuv420p -c:a aac -b:a 64k -shortest -movflags +faststart)  # faststart: readable from a pipe
sharp="$pan,select='eq(mod(n\,5)\,2)',setpts=N/25/TB"
blurred="$pan,tmix=frames=5,select='eq(mod(n\,5)\,4)',setpts=N/25/TB"
src=(-loop 1 -framerate 125 -t 3 -i "$tmp/texture.png")

"${ff[@]}" "${src[@]}" "${audio[@]}" -filter_complex "[0:v]$sharp[v]" -map "[v]" -map 1:a -r 25 "${x264[@]}" "$out/sharp.mp4"
"${ff[@]}" "${src[@]}" "${audio[@]}" -filter_complex "[0:v]$blurred[v]" -map "[v]" -map 1:a -r 25 "${x264[@]}" "$out/blurred.mp4"
"${ff[@]}" "${src[@]}" -vf "$sharp,select='eq(n\,40)'" -frames:v 1 "$out/sharp.png"
"${ff[@]}" "${src[@]}" -vf "$blurred,select='eq(n\,40)'" -frames:v 1 "$out/blurred.png"
ls -l "$out"
