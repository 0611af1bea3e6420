#!/bin/sh
# Installs the Debian packages that ship the photographs and videos we train
# on, then builds the data folder (default /work/data; not committed).
#   scripts/prepare_data.sh [OUT_DIR]
set -eu
OUT="${1:-/work/data}"
apt-get install -y mate-backgrounds plasma-workspace-wallpapers opencv-doc libjxl-testdata \
    lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
python3 "$(dirname "$0")/prepare_data.py" --out "$OUT"
