#!/usr/bin/env bash
# Model benchmark (not a test): deblur-video with the shipped GAN vs the PyTorch reference, on the same frames.
# For each size (640x360, 1280x720, 1920x1080; frames of ffmpeg testsrc2, 25 fps, x264 crf 18) it runs
#   ours        deblur-video X -o Y                  (defaults: --method gan; frames above --tile-above 640x480
#                                                     pixels in balanced tiles of at most --tile 512, --overlap 32;
#                                                     workers = cores, each worker's convs on cores/workers threads)
#   ours 1x2    deblur-video X -o Y --threads 1 --no-motion-gate   (1 pipeline worker, its convs on 2 threads;
#                                                     the model alone, as PyTorch runs it: no motion gate)
#   tile 0      deblur-video X -o Y --tile 0 --no-motion-gate      (whole frame at once)
#   none        deblur-video X -o Y --method none    (decode + encode only)
#   torch       benchmarks/torch_model.py X          (scripts/reference_model.py, same safetensors,
#                                                     torch.set_num_threads(2), inference_mode, whole frame;
#                                                     only the model call is timed, 1 untimed warm-up)
# and prints frames/s (wall, incl. model loading), peak RSS (/usr/bin/time), pure model time of ours
# (the pipeline's process-stage time with 1 worker, from --verbose), pipeline overhead (wall − model) and
# ratio ours/torch in model time per frame (target ≤ 1.0).
# Usage: benchmarks/model.sh [frames360=25] [frames720=12] [frames1080=6]      (needs /usr/bin/time)
set -euo pipefail
n360="${1:-25}"; n720="${2:-12}"; n1080="${3:-6}"
source "$(dirname "$0")/common.sh"

# Process-stage seconds from the --verbose summary line "N frames in W s (decode D s, process P s, encode E s)".
process_seconds() { sed -n 's/.*process \([0-9.]*\) s.*/\1/p' "$tmp/stderr" | tail -1; }
div() { echo "scale=4; $1 / $2" | bc -l; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-10s %6s | %8s %8s %8s %8s | %8s %8s | %9s %9s %9s | %7s | %8s %8s\n" \
    size frames "fps 2x1" "fps 1x2" "fps t0" "fps none" "torch" "ratio" "model s/f" "wall s/f" "overhead" "ovh %" "RSS MB" "RSS t0"
for spec in "640x360:$n360" "1280x720:$n720" "1920x1080:$n1080"; do
    size="${spec%%:*}"; n="${spec##*:}"
    clip="$tmp/clip-$size.mp4"
    ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=s=$size:r=25" -frames:v "$n" \
        -c:v libx264 -preset veryfast -crf 18 -pix_fmt yuv420p "$clip"
    read -r t_def m_def < <(measure "$bin" "$clip" -o "$tmp/o.mp4" --quiet)
    read -r t_1x2 m_1x2 < <(measure "$bin" "$clip" -o "$tmp/o.mp4" --threads 1 --no-motion-gate --verbose)
    p_1x2="$(process_seconds)"
    read -r t_t0 m_t0 < <(measure "$bin" "$clip" -o "$tmp/o.mp4" --tile 0 --no-motion-gate --quiet)
    read -r t_none m_none < <(measure "$bin" "$clip" -o "$tmp/o.mp4" --method none --quiet)
    torch_line="$(python3 benchmarks/torch_model.py "$clip" --threads 2)"
    torch_s="$(echo "$torch_line" | sed -n 's/.*model_seconds=\([0-9.]*\).*/\1/p')"
    model_pf="$(div "$p_1x2" "$n")"
    wall_pf="$(div "$t_1x2" "$n")"
    printf "%-10s %6d | %8.2f %8.2f %8.2f %8.1f | %8.3f %8.2f | %9.3f %9.3f %9.3f | %6.1f%% | %8.0f %8.0f\n" \
        "$size" "$n" "$(div "$n" "$t_def")" "$(div "$n" "$t_1x2")" "$(div "$n" "$t_t0")" "$(div "$n" "$t_none")" \
        "$(div "$n" "$torch_s")" "$(div "$model_pf" "$(div "$torch_s" "$n")")" \
        "$model_pf" "$wall_pf" "$(echo "$wall_pf - $model_pf" | bc -l)" \
        "$(echo "100 * ($wall_pf - $model_pf) / $wall_pf" | bc -l)" "$(div "$m_def" 1024)" "$(div "$m_t0" 1024)"
done
echo "fps 2x1: default (2 workers x 1 conv thread, tiles of <= 512 above 640x480 pixels, motion gate); fps 1x2: --threads 1 (1 worker x 2 threads, no gate);"
echo "fps t0: --tile 0; torch: PyTorch model-only frames/s (2 threads); ratio: ours 1x2 model time / torch time (<= 1 is faster);"
echo "model s/f: our process-stage time per frame (1x2); overhead = wall/frame - model/frame (includes model load ~ once per run)."
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
