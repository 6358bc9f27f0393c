#!/usr/bin/env bash
# Idle memory: serve a generated geotagged library of COUNT small photos
# (made once into .bench/, kept) from an empty data folder, wait until the
# start-up scan has indexed it and every place is resolved, then stop
# talking to the server and sample its RSS every 10 s for IDLE_SECS. The
# server gives memory back after RELEASE without activity (--idle-release;
# the default of a real server is 5m).
#
#   scripts/bench-idle.sh [COUNT] [IDLE_SECS] [RELEASE]   defaults 10000 240 1m
#
# For the hour-long figure: scripts/bench-idle.sh 10000 3600 5m
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10000}
idle=${2:-240}
release=${3:-1m}
lib=.bench/idle-lib-$count
make -s build >/dev/null
if [ ! -f "$lib/.pinhole-demo" ]; then
	echo "generating $count small geotagged photos into $lib (once)…" >&2
	./pinhole demo --out "$lib" --count "$count" --megapixels 0.05-0.1 --seed 3 >/dev/null
fi
mkdir -p .bench
data=$(mktemp -d .bench/idle-data.XXXXXX)
pid=
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$data"
}
trap cleanup EXIT INT TERM
echo "bench password" | ./pinhole users add bench --role admin --data "$data" --log-level warn >/dev/null
port=$((20000 + RANDOM % 20000))
base=http://127.0.0.1:$port
./pinhole serve --originals "$lib" --data "$data" --listen 127.0.0.1:$port --log-level warn \
	--backup-interval 0 --idle-release "$release" &
pid=$!
until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do sleep 0.05; done
token=$(curl -fsS -H 'Content-Type: application/json' \
	-d '{"username":"bench","password":"bench password","bearer":true}' "$base/api/v1/session" | jq -r .token)
rss() { awk '/VmRSS/ {printf "%.1f", $2/1024}' /proc/$pid/status; }
hwm() { awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$pid/status; }

start=$(date +%s)
while :; do
	st=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/status")
	if [ "$(jq -r '.index.last_scan != null and (.index.progress.running | not) and .places.pending == 0 and .places.resolved > 0' <<<"$st")" = true ]; then
		break
	fi
	if [ $(($(date +%s) - start)) -gt 1800 ]; then
		echo "indexing did not finish in 30 minutes" >&2
		exit 1
	fi
	sleep 2
done
photos=$(jq -r .counts.photos <<<"$st")
placed=$(jq -r .places.resolved <<<"$st")
echo "indexed $photos photos ($placed placed) in $(($(date +%s) - start)) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "RSS when indexing and places finished: $(rss) MB (peak $(hwm) MB)"
echo "idle (no requests) for $idle s, --idle-release $release:"
t=0
last=
while [ "$t" -lt "$idle" ]; do
	sleep 10
	t=$((t + 10))
	last=$(rss)
	printf '  %5d s  RSS %6s MB\n' "$t" "$last"
done
echo "RSS after $idle s idle: $last MB (peak $(hwm) MB); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
