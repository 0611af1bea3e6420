#!/usr/bin/env bash
# Installs the Debian packages deblur-video builds and runs with (FFmpeg 5.1, OpenBLAS).
# Swift 6 itself is expected at /opt/swift or on PATH.
set -euo pipefail
pkgs=(ffmpeg libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libswresample-dev
      libopenblas-dev pkg-config time bc chromium)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi
