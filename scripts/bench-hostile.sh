#!/usr/bin/env bash
# Hostile-file figures (issue 13): a real `pinhole serve` gets the hostile
# set of app/testkit (a HEIC grid declaring 20000x20000, a 16-bit
# 8192x8192 PNG, animated GIF and WebP of 3000 frames, a TIFF declaring
# 900 MP, a progressive JPEG of 300 scans, a DNG whose preview declares
# 60000x60000, an MP4 declaring 60000x60000) plus a normal photo, asked for
# in four sizes by a viewer and a share visitor at once, ROUNDS times.
# Prints the peak RSS of the server's whole process tree (sampled every
# 20 ms, helpers included) and each file's first and repeat latency, with
# the machine's load average before and after.
#
# It runs the end-to-end test that asserts the same (≤ 300 MB, repeats
# ≤ 1 s), so the figures and the assertions come from one harness.
#
#   scripts/bench-hostile.sh            # 5 rounds
#   ROUNDS=10 scripts/bench-hostile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-5}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
PINHOLE_HOSTILE_ROUNDS=$ROUNDS go test -tags 'sqlite_fts5 synthetic' -count=1 -v \
	-run '^TestHostileFilesThroughTheServer$' ./app >"$out" 2>&1 || status=$?
grep -o 'hostile: .*' "$out" | sed 's/^hostile: //'
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$status" -ne 0 ]; then
	echo "the run failed:" >&2
	grep -E -- '--- FAIL|_test.go:[0-9]+: ' "$out" | grep -v 'hostile: ' | head -40 >&2
fi
exit "$status"
