#!/bin/sh
# Sign-in limits under concurrency: a real `pinhole serve` on an empty
# library, N wrong passwords for the admin sent at once from 127.0.0.2,
# then the admin's right password from 127.0.0.3. Prints the answers
# (want at most 10 × 401, the rest 429) with their latencies, and the
# owner's login time.
#
#   scripts/bench-limiter.sh [N]
set -eu
N=${1:-200}
ADDR=127.0.0.1:${BENCH_PORT:-8079}
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT INT TERM
cd "$(dirname "$0")/.."
go build -tags sqlite_fts5 -o "$DIR/pinhole" .
go build -o "$DIR/benchlimiter" ./scripts/benchlimiter
mkdir "$DIR/originals"
"$DIR/pinhole" serve --originals "$DIR/originals" --data "$DIR/data" --listen "$ADDR" --log-level warn &
SERVER=$!
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
	curl -fs "http://$ADDR/healthz" >/dev/null 2>&1 && break
	sleep 0.5
done
"$DIR/benchlimiter" -url "http://$ADDR" -n "$N"
