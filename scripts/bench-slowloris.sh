#!/bin/sh
# /healthz latency while slow clients attack: a real `pinhole serve` on
# 127.0.0.1 (open-files limit: soft 256, hard 1024, as a small service
# might get) and scripts/slowloris keeping 3 000 connections from 50
# loopback addresses trickling a body a byte a second (a fifth only
# connect), plus 500 from one greedy address, reconnecting when closed.
# Prints /healthz p50/p95/max from another client, the server's peak open
# descriptors and the load average.
#
#   scripts/bench-slowloris.sh [seconds] [connections]
set -eu
SECS=${1:-30}
CONNS=${2:-3000}
PORT=${BENCH_PORT:-8097}
cd "$(dirname "$0")/.."
DIR=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT INT TERM
go build -tags sqlite_fts5 -o "$DIR/pinhole" .
go build -o "$DIR/slowloris" ./scripts/slowloris
mkdir -p "$DIR/originals" "$DIR/data"
# A subshell lowers the limits for the server alone; the server raises
# its soft limit to the hard one itself.
(ulimit -Sn 256 && ulimit -Hn 1024 && exec "$DIR/pinhole" serve --originals "$DIR/originals" --data "$DIR/data" \
	--listen "127.0.0.1:$PORT" --log-level warn >"$DIR/serve.log" 2>&1) &
SERVER=$!
i=0
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 60 ]; then cat "$DIR/serve.log" >&2; exit 1; fi
	sleep 0.25
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$DIR/slowloris" -addr "127.0.0.1:$PORT" -pid "$SERVER" -d "${SECS}s" -conns "$CONNS" | sed '$d'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
if grep -q "too many open files" "$DIR/serve.log"; then
	echo "FAIL: the server ran out of file descriptors" >&2
	exit 1
fi
