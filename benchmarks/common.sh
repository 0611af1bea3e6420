# Sourced by the benchmark scripts: builds the release binary and sets $root (cwd), $bin, $tmp (removed on
# exit) and `measure`.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
swift build -c release --product deblur-video >/dev/null  # warnings and errors stay visible
bin="$(swift build -c release --show-bin-path)/deblur-video"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Runs "$@" under /usr/bin/time; prints "seconds peak_kib"; keeps stderr in $tmp/stderr.
measure() {
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; exit 1; }
    cat "$tmp/time"
}
