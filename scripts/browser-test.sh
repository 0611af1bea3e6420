#!/usr/bin/env bash
# Real-browser check of `deblur-video serve`: starts the server on 127.0.0.1 with a free port, has headless
# Chromium (Debian package `chromium`) open /?selftest=1 — the page fetches a sample picture and its sharp
# original, uploads them through the same code a user's drop triggers, and writes the outcome into the DOM —
# and checks that the result image appeared with the input's size and the PSNR/SSIM scores were shown; then
# the same for a short video (job upload, progress polling, the result in a <video>, the before/after split set).
# Also checks the server left nothing in its private temporary directory.
#
# Usage: scripts/browser-test.sh [--binary PATH] [--method NAME] [--screenshot FILE.png]
#   scripts/browser-test.sh --screenshot docs/web.png    # refresh the README's screenshot
set -euo pipefail
cd "$(dirname "$0")/.."

binary=".build/debug/deblur-video"
method="none"
screenshot=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --method) method="$2"; shift 2 ;;
    --screenshot) screenshot="$2"; shift 2 ;;
    *) echo "usage: $0 [--binary PATH] [--method NAME] [--screenshot FILE.png]" >&2; exit 2 ;;
  esac
done

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "browser-test: chromium not found (install the Debian package 'chromium')" >&2
  exit 1
fi
if [ ! -x "$binary" ]; then
  echo "browser-test: $binary not found; run 'swift build' first" >&2
  exit 1
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/tmp" "$work/profile"
# The server's private temporary directories go under $work/tmp, so leftovers can be checked.
TMPDIR="$work/tmp" "$binary" serve --host 127.0.0.1 --port 0 --method "$method" 2>"$work/serve.log" &
server_pid=$!

url=""
for _ in $(seq 150); do   # up to 15 s for the server to report its port
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$work/serve.log" | head -1 || true)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "browser-test: server exited:" >&2; cat "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "browser-test: server did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }

# --no-sandbox: Chromium's sandbox needs user namespaces or root-less runs, which CI containers may not give;
# the browser only ever loads our own page from 127.0.0.1. --virtual-time-budget lets the page run until idle
# (time stands still while requests are pending, so slow methods are fine) and then the DOM is dumped. The budget
# is generous because virtual time can still run ahead of a server slowed by a fully loaded machine (seen in CI).
chrome_flags=(--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-proxy-server --no-first-run
              --user-data-dir="$work/profile" --virtual-time-budget=600000)

timeout 300 "$browser" "${chrome_flags[@]}" --dump-dom "${url}?selftest=1&video=1" >"$work/dom.html" 2>"$work/chromium.log" || true
status="$(grep -o 'selftest: [^<]*' "$work/dom.html" | head -1 || true)"
if [[ "$status" != "selftest: ok "* || "$status" != *" video="* ]]; then
  echo "browser-test: FAILED: ${status:-no self-test status in the page}" >&2
  tail -5 "$work/chromium.log" >&2 || true
  tail -5 "$work/serve.log" >&2 || true
  exit 1
fi
echo "browser-test: $status"

if [ -n "$screenshot" ]; then
  mkdir -p "$(dirname "$screenshot")"
  out="$(cd "$(dirname "$screenshot")" && pwd)/$(basename "$screenshot")"
  rm -f "$out"
  timeout 120 "$browser" "${chrome_flags[@]}" --hide-scrollbars --window-size=1280,1200 \
    --screenshot="$out" "${url}?selftest=1" >/dev/null 2>>"$work/chromium.log" || true
  [ -s "$out" ] || { echo "browser-test: no screenshot written" >&2; exit 1; }
  echo "browser-test: screenshot $screenshot"
fi

# Stop the server (SIGTERM: graceful, deletes stored video results), then nothing may be left behind.
kill -TERM "$server_pid"
for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server_pid" 2>/dev/null; then echo "browser-test: FAILED: server ignored SIGTERM for 10 s" >&2; exit 1; fi
server_pid=""
leftovers="$(find "$work/tmp" -mindepth 1 | head -5)"
if [ -n "$leftovers" ]; then
  echo "browser-test: FAILED: the server left temporary files: $leftovers" >&2
  exit 1
fi
echo "browser-test: passed"
