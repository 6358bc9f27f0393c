#!/bin/sh
# Load run: a real `pinhole serve` on 127.0.0.1 over a library of 24 MP
# JPEGs, driven by 200 concurrent clients for 60 s mixing timeline pages,
# searches, uncached thumbnails and map requests (scripts/loadgen). Fails
# on any 5xx or failed request, on "database is locked" in the server log,
# and when the server's peak RSS passes the budget.
#
#   scripts/load.sh [seconds] [clients]
#
# Environment: PINHOLE_BIN (default: build one), LOAD_MIX (loadgen -mix),
# LOAD_PORT (8099), LOAD_PHOTOS (60), DECODE_BUDGET_MB (160, the default),
# BUDGET_MB (decode budget + 128 MB for the Go heap, SQLite, 200
# connections and the binary itself).
#
# The library is generated once into .bench/load-lib (gitignored); the data
# folder is fresh on every run, so no thumbnail is cached when it starts.
set -eu
SECS=${1:-60}
CLIENTS=${2:-200}
PORT=${LOAD_PORT:-8099}
PHOTOS=${LOAD_PHOTOS:-60}
DECODE=${DECODE_BUDGET_MB:-160}
BUDGET=${BUDGET_MB:-$((DECODE + 128))}
cd "$(dirname "$0")/.."
BENCH=$PWD/.bench
LIB=$BENCH/load-lib
DATA=$BENCH/load-data
mkdir -p "$BENCH"

# PINHOLE_BIN runs a binary built elsewhere (e.g. from a clean checkout).
BIN=${PINHOLE_BIN:-$BENCH/pinhole-load}
if [ -z "${PINHOLE_BIN:-}" ]; then
	go build -tags sqlite_fts5 -o "$BIN" .
fi
go build -o "$BENCH/loadgen" ./scripts/loadgen

if [ ! -f "$LIB/.complete-$PHOTOS" ]; then
	rm -rf "$LIB"
	echo "generating $PHOTOS photos of 20–24 MP into $LIB (once)"
	"$BIN" demo --out "$LIB" --count "$PHOTOS" --megapixels 20-24
	touch "$LIB/.complete-$PHOTOS"
fi

rm -rf "$DATA"
mkdir -p "$DATA"
PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
echo "$PASSWORD" | "$BIN" users add load --role admin --data "$DATA" >/dev/null

LOG=$DATA/serve.log
# Every client comes from 127.0.0.1: the per-client connection cap (64 by
# default, docs/security.md) would refuse most of them.
"$BIN" serve --originals "$LIB" --data "$DATA" --listen "127.0.0.1:$PORT" \
	--decode-budget-mb "$DECODE" --max-conns-per-ip "$((CLIENTS * 2))" --max-conns "$((CLIENTS * 2 + 64))" \
	--log-level info >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT INT TERM
i=0
until curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -gt 60 ] || ! kill -0 $SERVER 2>/dev/null; then
		echo "server did not start:" >&2
		cat "$LOG" >&2
		exit 1
	fi
	sleep 0.5
done

echo "server pid $SERVER, decode budget $DECODE MB, RSS budget $BUDGET MB"
LOADGEN_PASSWORD=$PASSWORD "$BENCH/loadgen" -url "http://127.0.0.1:$PORT" -user load \
	-c "$CLIENTS" -d "${SECS}s" -pid $SERVER -log "$LOG" -budget-mb "$BUDGET" -expect "$PHOTOS" \
	${LOAD_MIX:+-mix "$LOAD_MIX"}
