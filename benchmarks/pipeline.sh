#!/usr/bin/env bash
# Pipeline overhead benchmark (not a test): times, on the same generated 720p clip,
#   ffmpeg -i X -c:v libx264 -preset veryfast -c:a copy Y        (the reference)
#   deblur-video X -o Y --method none                              (our demux → decode → pipeline queues → encode;
#                                                                   pass-through hands the decoded YUV planes on)
# Both use libx264 preset veryfast, default CRF 23, automatic threads, audio copied.
# Prints wall time, frames/s, peak RSS of each, and the ratio ours/ffmpeg (target ≤ 1.15).
# Usage: benchmarks/pipeline.sh [seconds=10] [runs=3]     (release build; needs /usr/bin/time: apt install time)
set -euo pipefail
seconds="${1:-10}"
runs="${2:-3}"
source "$(dirname "$0")/common.sh"

clip="$tmp/clip.mp4"
ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=1280x720:r=30:d=$seconds" \
    -f lavfi -i "sine=frequency=440:duration=$seconds" \
    -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p -c:a aac -shortest "$clip"
frames="$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$clip")"


median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: > "$tmp/ff"; : > "$tmp/ours"
for ((i = 1; i <= runs; i++)); do   # alternate, so load changes hit both alike
    measure ffmpeg -hide_banner -loglevel error -y -i "$clip" -c:v libx264 -preset veryfast -c:a copy "$tmp/ffmpeg.mp4" >> "$tmp/ff"
    measure "$bin" "$clip" -o "$tmp/ours.mp4" --method none --quiet >> "$tmp/ours"
done
ours_frames="$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets -of csv=p=0 "$tmp/ours.mp4")"
[ "$ours_frames" = "$frames" ] || { echo "frame count mismatch: $ours_frames vs $frames" >&2; exit 1; }

ff_t="$(cut -d' ' -f1 "$tmp/ff" | median)";   ff_m="$(cut -d' ' -f2 "$tmp/ff" | sort -n | tail -1)"
our_t="$(cut -d' ' -f1 "$tmp/ours" | median)"; our_m="$(cut -d' ' -f2 "$tmp/ours" | sort -n | tail -1)"
echo "clip: 1280x720, 30 fps, ${seconds} s, $frames frames, AAC audio; median of $runs runs, $(nproc) cores"
printf "%-14s %8s %9s %14s\n" "" "time (s)" "frames/s" "peak RSS (MB)"
printf "%-14s %8.2f %9.1f %14.1f\n" "ffmpeg" "$ff_t" "$(echo "$frames / $ff_t" | bc -l)" "$(echo "$ff_m / 1024" | bc -l)"
printf "%-14s %8.2f %9.1f %14.1f\n" "deblur-video" "$our_t" "$(echo "$frames / $our_t" | bc -l)" "$(echo "$our_m / 1024" | bc -l)"
printf "ratio deblur-video / ffmpeg: %.3f (target <= 1.15)\n" "$(echo "$our_t / $ff_t" | bc -l)"
