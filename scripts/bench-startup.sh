#!/usr/bin/env bash
# Appliance figures: binary size, time from start to the first HTTP 200, and
# idle RSS after start with an indexed library of COUNT photos (generated
# once into .bench/, kept).
#   scripts/bench-startup.sh [COUNT]     default 10000
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
lib=.bench/startup-lib-$count
make -s build >/dev/null
if [ ! -f "$lib/.pinhole-demo" ]; then
  echo "generating $count small photos into $lib (once)…" >&2
  ./pinhole demo --out "$lib" --count "$count" --megapixels 0.05-0.1 --seed 3 >/dev/null
fi
data=.bench/startup-data-$count
if [ ! -f "$data/pinhole.db" ]; then
  ./pinhole index --originals "$lib" --data "$data" --log-level warn
fi
echo "binary: $(stat -c %s pinhole | awk '{printf "%.1f MB", $1/1e6}') (amd64, make build)"
port=$((20000 + RANDOM % 20000))
start=$(date +%s%N)
./pinhole serve --originals "$lib" --data "$data" --listen 127.0.0.1:$port --log-level warn --backup-interval 0 &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do sleep 0.005; done
first=$(( ($(date +%s%N) - start) / 1000000 ))
echo "start to first HTTP 200: ${first} ms"
curl -fsS -o /dev/null "http://127.0.0.1:$port/"
sleep 15   # the start-up rescan of the unchanged library and the places check finish
rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "idle RSS with $count photos: $((rss / 1024)) MB (peak during start $((hwm / 1024)) MB)"
