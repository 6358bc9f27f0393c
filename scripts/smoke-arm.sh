#!/usr/bin/env bash
# Smoke test of the arm64 release binary under qemu-aarch64-static: start
# it on the corpus, let it index, log in, fetch a thumbnail, stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
arch=${1:-arm64}
case $arch in
  arm64) qemu=qemu-aarch64-static ;;
  armv7) qemu=qemu-arm-static ;;
  *) echo "usage: $0 [arm64|armv7]" >&2; exit 2 ;;
esac
corpus=${PINHOLE_CORPUS:-../shared/corpus}
[ -f "$corpus/exiftool.json" ] || { echo "test corpus not found at $corpus (set PINHOLE_CORPUS)" >&2; exit 1; }
scripts/build.sh "$arch" >/dev/null
dpkg-query -W -f='${Status}' qemu-user-static 2>/dev/null | grep -q "install ok installed" || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-user-static >/dev/null
}
bin=dist/pinhole-linux-$arch
file "$bin" | grep -q -E 'ARM|aarch64' || { echo "$bin is not an ARM binary" >&2; exit 1; }
data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
cleanup() { [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$data"; }
trap cleanup EXIT
echo "smoke-pass-123" | timeout -s KILL 120 $qemu "$bin" users add smoke --role admin --data "$data" >/dev/null
start=$(date +%s.%N)
$qemu "$bin" serve --originals "$corpus" --data "$data" --listen 127.0.0.1:$port --log-level warn >"$data/log" 2>&1 &
pid=$!
for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
up=$(echo "$(date +%s.%N) - $start" | bc)
login=$(curl -fsS -X POST -H 'Content-Type: application/json' -d '{"username":"smoke","password":"smoke-pass-123","bearer":true}' "http://127.0.0.1:$port/api/v1/session")
token=$(echo "$login" | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
thumb=$(echo "$login" | sed -n 's/.*"thumb_token":"\([^"]*\)".*/\1/p')
# Wait for the index to hold the corpus.
for _ in $(seq 1 600); do
  n=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/status" | sed -n 's/.*"photos":\([0-9]*\).*/\1/p')
  [ "${n:-0}" -ge 250 ] && break; sleep 0.5
done
[ "${n:-0}" -ge 250 ] || { echo "index did not finish: $n photos"; cat "$data/log"; exit 1; }
# A place name: places are resolved in the background after indexing, so
# the search may take a moment to find it.
for _ in $(seq 1 120); do
  hash=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/photos?q=sheffield" | sed -n 's/.*"hash":"\([0-9a-f]*\)".*/\1/p' | head -1)
  [ -n "$hash" ] && break; sleep 0.5
done
[ -n "$hash" ] || { echo "no photo found by the place name Sheffield"; cat "$data/log"; exit 1; }
code=$(curl -s -o "$data/t.jpg" -w '%{http_code}' "http://127.0.0.1:$port/api/v1/t/$hash/$thumb/fit_720")
[ "$code" = 200 ] && file "$data/t.jpg" | grep -q JPEG || { echo "thumbnail: HTTP $code"; cat "$data/log"; exit 1; }
kill -INT "$pid"; wait "$pid" 2>/dev/null || true; pid=
echo "smoke $arch ok: up in ${up}s under qemu, $n photos indexed, thumbnail $(stat -c %s "$data/t.jpg") bytes"
