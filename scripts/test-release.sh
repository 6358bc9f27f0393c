#!/usr/bin/env bash
# The release checks CI runs: the amd64 build is reproducible (a second
# build from an empty Go build cache gives the same bytes), arm64 and armv7
# cross-build, the arm64 binary passes a smoke test under qemu, and the
# amd64 .deb installs, serves, and removes/purges as it should.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh amd64 arm64 armv7
first=$(sha256sum dist/pinhole-linux-amd64 | cut -d' ' -f1)
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
mv dist/pinhole-linux-amd64 dist/pinhole-linux-amd64.first
GOCACHE=$cache scripts/build.sh amd64 2>/dev/null
second=$(sha256sum dist/pinhole-linux-amd64 | cut -d' ' -f1)
rm -f dist/pinhole-linux-amd64.first
if [ "$first" != "$second" ]; then
  echo "amd64 build is not reproducible: $first vs $second" >&2
  exit 1
fi
echo "reproducible: two amd64 builds give sha256 $first"
ls -l dist/pinhole-linux-* | awk '{printf "%s %.1f MB\n", $NF, $5/1e6}'
scripts/smoke-arm.sh arm64
scripts/test-deb.sh
