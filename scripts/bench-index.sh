#!/usr/bin/env bash
# Benchmark: index a library of real-size JPEGs (generated once into
# .bench/index-lib and kept) and compare the wall time with sha1sum over the
# same files in the same run. Reports files/s, MB/s, peak RSS and the ratio.
#   scripts/bench-index.sh [COUNT] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-500}
rounds=${2:-3}
lib=.bench/index-lib-$count
scripts/deps.sh bench
make -s build >/dev/null
if [ ! -f "$lib/.pinhole-demo" ]; then
  echo "generating $count JPEGs of 8–24 MP into $lib (once)…" >&2
  ./pinhole demo --out "$lib" --count "$count" --megapixels 8-24 --seed 7 >/dev/null
fi
files=$(find "$lib" -type f -iname '*.jpg' | wc -l)
bytes=$(find "$lib" -type f -iname '*.jpg' -printf '%s\n' | awk '{s+=$1} END {printf "%d", s}')
echo "library: $files files, $((bytes / 1000000)) MB" >&2
# Warm the page cache so both sides read from memory, as on a re-index.
find "$lib" -type f -iname '*.jpg' -print0 | xargs -0 cat >/dev/null

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
workers=${WORKERS:-$(nproc)}
echo "pinhole index with --workers $workers (sha1sum is single-threaded; WORKERS=1 compares one core with one core)" >&2
sha=(); pin=(); rss=()
for r in $(seq 1 "$rounds"); do
  /usr/bin/time -f '%e %M' -o "$tmp/sha" sh -c "find '$lib' -type f -iname '*.jpg' -print0 | xargs -0 sha1sum >/dev/null"
  sha+=("$(cut -d' ' -f1 "$tmp/sha")")
  rm -rf "$tmp/data"
  /usr/bin/time -f '%e %M' -o "$tmp/pin" ./pinhole index --workers "$workers" --originals "$lib" --data "$tmp/data" --log-level warn >"$tmp/out"
  pin+=("$(cut -d' ' -f1 "$tmp/pin")")
  rss+=("$(cut -d' ' -f2 "$tmp/pin")")
  echo "round $r: sha1sum ${sha[-1]} s, pinhole index ${pin[-1]} s, peak RSS $(( ${rss[-1]} / 1024 )) MB — $(cat "$tmp/out")" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
s=$(median "${sha[@]}"); p=$(median "${pin[@]}"); m=$(median "${rss[@]}")
awk -v s="$s" -v p="$p" -v m="$m" -v n="$files" -v b="$bytes" 'BEGIN {
  printf "pinhole index: %.2f s (%.0f files/s, %.0f MB/s), peak RSS %.1f MB\n", p, n/p, b/1e6/p, m/1024
  printf "sha1sum:       %.2f s\n", s
  printf "ratio pinhole/sha1sum: %.2f (target <= 1.2), RSS target <= 64 MB\n", p/s
}'
