#!/bin/sh
# Load-test the search API on a generated 100k-photo library: 16 clients
# for 30 s on four searches (first page, a deep keyset page near photo
# 90 000, a text query, a place filter). Prints p50/p99, requests/s and
# errors per search, and the server's peak RSS.
#
#   scripts/bench-api.sh [photos] [seconds] [clients]
set -eu
N=${1:-100000}
SECS=${2:-30}
C=${3:-16}
ADDR=127.0.0.1:${BENCH_PORT:-8078}
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT INT TERM
cd "$(dirname "$0")/.."
go build -tags 'sqlite_fts5 synthetic' -o "$DIR/benchapi" ./scripts/benchapi
"$DIR/benchapi" gen -db "$DIR/bench.db" -n "$N" > "$DIR/env"
. "$DIR/env"
"$DIR/benchapi" serve -db "$DIR/bench.db" -addr "$ADDR" &
SERVER=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do
	curl -fs "http://$ADDR/healthz" >/dev/null 2>&1 && break
	sleep 0.5
done
U="http://$ADDR/api/v1/photos?limit=100"
run() { "$DIR/benchapi" load -url "$2" -token "$TOKEN" -c "$C" -d "${SECS}s" -name "$1"; }
run first_page "$U"
run deep_page "$U&cursor=$DEEP"
run text "$U&q=sunset"
run place "$U&country=PT&state=Lisbon&city=Lisbon"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$SERVER/status)"
