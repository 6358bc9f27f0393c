#!/usr/bin/env bash
# A million photos: generates once into .bench/million/ (kept) a library
# of N synthetic photos (database rows) and a folder tree of N matching
# empty files (sparse: sizes and times match the rows, no disk blocks), then
# serves it with the real `pinhole serve`, waits for the start-up rescan of
# the unchanged tree, and drives the API over HTTP with one client for
# SECS seconds per request. Prints a table of p50/p99 against the targets
# of issue 14, the rescan times, the server's RSS and the database's size
# per photo.
#
#   scripts/bench-million.sh [N] [SECS]      defaults 1000000 10
#
# Space: about 1.5 KB of database per photo and 4 KB of folder entries per
# 1000 files (df before: a million photos need about 2 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
secs=${2:-10}
dir=.bench/million-$n
data=$dir/data
tree=$dir/originals
make -s build >/dev/null
go build -tags 'sqlite_fts5 synthetic' -o .bench/genlib ./scripts/genlib
go build -tags 'sqlite_fts5 synthetic' -o .bench/benchapi ./scripts/benchapi
if [ ! -f "$dir/generated" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	echo "generating $n photos and a matching tree into $dir (once)…" >&2
	t0=$(date +%s.%N)
	.bench/genlib -data "$data" -n "$n" -tree "$tree" 2>&1 | tee "$dir/genlib.log" >&2
	t1=$(date +%s.%N)
	echo "bench password" | ./pinhole users add bench --role admin --data "$data" --log-level warn >/dev/null
	printf 'generated in %.0f s (rows and tree), load average then: %s\n' "$(echo "$t1 - $t0" | bc)" \
		"$(cut -d' ' -f1-3 /proc/loadavg)" > "$dir/generated"
fi
cat "$dir/generated"
grep -h "took=" "$dir/genlib.log" | sed 's/^.*INFO /  /'

port=$((20000 + RANDOM % 20000))
base=http://127.0.0.1:$port
api=$base/api/v1
pid=
trap 'if [ -n "$pid" ]; then kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; fi' EXIT INT TERM
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
./pinhole serve --data "$data" --originals "$tree" --listen 127.0.0.1:$port --log-level warn \
	--backup-interval 0 --rescan-interval 0 &
pid=$!
until curl -fsS -o /dev/null "$base/healthz" 2>/dev/null; do sleep 0.1; done
token=$(curl -fsS -H 'Content-Type: application/json' \
	-d '{"username":"bench","password":"bench password","bearer":true}' "$api/session" | jq -r .token)
auth=(-H "Authorization: Bearer $token")

# The start-up scan compares every file's path, size and time with its row
# and reads none of them.
scan_wait() {
	local before=$1
	while :; do
		st=$(curl -fsS "${auth[@]}" "$api/status")
		if [ "$(jq -r --arg b "$before" '.index.last_scan != null and .index.last_scan.started != $b and (.index.progress.running | not)' <<<"$st")" = true ]; then
			jq -r '.index.last_scan | "  seen \(.seen), read \(.indexed), unchanged \(.skipped), missing \(.missing), \(.duration_ns / 1e9 * 10 | round / 10) s"' <<<"$st"
			return
		fi
		sleep 1
	done
}
echo "start-up rescan of the unchanged tree:"
scan_wait ""
echo "server RSS after it: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status) (peak $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status))"

deep=$(.bench/benchapi deep -url "$api/photos?limit=500" -token "$token" -pages $((n * 9 / 10 / 500)))
L="$api/photos?limit=100"
printf '\n%-14s %8s %9s %9s %9s %7s  %s\n' request requests p50 p99 max target ""
row() { # name target_ms url
	local out p99
	out=$(.bench/benchapi load -url "$3" -token "$token" -c 1 -d "${secs}s" -name "$1")
	p99=$(sed -E 's/.* p99=([0-9.]+)ms.*/\1/' <<<"$out")
	verdict=""
	if [ "$2" != "-" ]; then
		verdict=$(awk -v p="$p99" -v t="$2" 'BEGIN { print (p <= t) ? "ok" : "OVER" }')
	fi
	sed -E 's/^([^ ]+) +requests=([0-9]+) errors=([0-9]+) req\/s=[0-9]+ p50=([^ ]+) p99=([^ ]+) max=([^ ]+).*/\1 \2 \4 \5 \6 \3/' <<<"$out" |
		awk -v t="$2" -v v="$verdict" '{ printf "%-14s %8s %9s %9s %9s %7s  %s%s\n", $1, $2, $3, $4, $5, t, v, ($6 > 0 ? " errors=" $6 : "") }'
}
row first_page 50 "$L"
row deep_page 50 "$L&cursor=$deep"
row text 50 "$L&q=sunset"
row place 50 "$L&country=PT&state=Lisbon&city=Lisbon"
row months 100 "$api/photos/months"
row geo_world 100 "$api/geo?zoom=2&bbox=-180,-85,180,85"
row geo_city 100 "$api/geo?zoom=13&bbox=-9.25,38.66,-9.03,38.79"
row calendar - "$api/calendar"
row places - "$api/places"
row cameras - "$api/cameras"
row folders - "$api/folders"
row suggest - "$api/search/suggest?q=sun"
row status - "$api/status"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
echo "a rescan of the unchanged tree while serving:"
before=$(curl -fsS "${auth[@]}" "$api/status" | jq -r .index.last_scan.started)
curl -fsS -X POST "${auth[@]}" "$api/index/rescan" >/dev/null
scan_wait "$before"
echo "server RSS: $(awk '/VmRSS/ {printf "%.0f MB", $2/1024}' /proc/$pid/status), peak over the whole run $(awk '/VmHWM/ {printf "%.0f MB", $2/1024}' /proc/$pid/status) (target ≤ 120 MB)"
kill $pid
wait $pid 2>/dev/null || true
pid=
bytes=$(stat -c %s "$data/pinhole.db")
echo "database: $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b/1e9 }'), $(awk -v b="$bytes" -v n="$n" 'BEGIN { printf "%.0f", b/n }') bytes per photo"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
