#!/usr/bin/env bash
# Makes the sample clips in samples/ with the ffmpeg CLI (deterministic, no downloads). The x264-coded clips'
# bits also depend on x264's thread count: made on another core count, they decode about 64 dB PSNR apart.
#   samples/sharp.mp4    640x360, 25 fps, 3 s: a Mandelbrot texture panning right at 300 px/s, 440 Hz tone (AAC)
#   samples/blurred.mp4  the same scene with real motion blur: rendered at 125 fps, each output frame the
#                        average of 5 consecutive renders (tmix, a 1/25 s shutter, ~12 px streaks);
#                        frame k of sharp.mp4 is the middle render of blurred frame k's exposure
#   samples/sharp.png, samples/blurred.png   frame 40 of each (the sharp/blurred pair for quick metrics)
#   samples/photo-sharp.mp4, samples/photo-blurred.mp4, samples/photo-*.png   the same kind of camera pan over a real
#                        photograph (250 px/s, 8 px streaks, averaged in linear light; ColorfulCups from Debian's
#                        plasma-workspace-wallpapers, LGPL-3; a photo the shipped model never trained on: it is
#                        in the held-out validation split)
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
# The photo pan: a real photograph is what the model is for; the Mandelbrot texture is out of its domain.
photo=/usr/share/wallpapers/ColorfulCups/contents/images/2560x1600.jpg
if [ ! -f "$photo" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq plasma-workspace-wallpapers >/dev/null
fi
"${ff[@]}" -i "$photo" -vf "scale=1600:1000" "$tmp/photo.png"
photo_src=(-loop 1 -framerate 125 -t 3 -i "$tmp/photo.png")
photo_pan="crop=640:360:x='100+t*250':y=380"
photo_sharp="$photo_pan,select='eq(mod(n\,5)\,2)',setpts=N/25/TB"
# A camera integrates light, not gamma-coded values: the photo pan averages its 5 renders in linear light (16-bit,
# sRGB ~ gamma 2.2), as GoPro-style data and our training and validation pairs do. Averaging the coded values
# (plain tmix, as the Mandelbrot clip above still does) gives a different, darker blur than real footage has.
to_lin="maxval*pow(val/maxval\,2.2)" to_gam="maxval*pow(val/maxval\,1/2.2)"
lin="format=rgb48le,lutrgb=r='$to_lin':g='$to_lin':b='$to_lin'"
gam="lutrgb=r='$to_gam':g='$to_gam':b='$to_gam',format=rgb24"
photo_blurred="$photo_pan,$lin,tmix=frames=5,$gam,select='eq(mod(n\,5)\,4)',setpts=N/25/TB"
"${ff[@]}" "${photo_src[@]}" "${audio[@]}" -filter_complex "[0:v]$photo_sharp[v]" -map "[v]" -map 1:a -r 25 "${x264[@]}" "$out/photo-sharp.mp4"
"${ff[@]}" "${photo_src[@]}" "${audio[@]}" -filter_complex "[0:v]$photo_blurred[v]" -map "[v]" -map 1:a -r 25 "${x264[@]}" "$out/photo-blurred.mp4"
"${ff[@]}" "${photo_src[@]}" -vf "$photo_sharp,select='eq(n\,40)'" -frames:v 1 "$out/photo-sharp.png"
"${ff[@]}" "${photo_src[@]}" -vf "$photo_blurred,select='eq(n\,40)'" -frames:v 1 "$out/photo-blurred.png"
ls -l "$out"
