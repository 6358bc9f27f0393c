#!/usr/bin/env bash
# Installs the Debian packages Pinhole's build and tests need, only those
# missing, so `make run` and `make test` work on a fresh machine.
#   scripts/deps.sh build   C toolchain and libjpeg-turbo for the cgo build
#   scripts/deps.sh test    + headless Chromium for UI tests, exiftool, cjpeg,
#                           libheif's and ffmpeg's tools for HEIC and video, GNU time,
#                           rclone and curl as real WebDAV clients
#   scripts/deps.sh bench   + vipsthumbnail, wrk for benchmarks
set -euo pipefail
want=(gcc libc6-dev libturbojpeg0-dev)
case "${1:-build}" in
  build) ;;
  test) want+=(chromium libimage-exiftool-perl libheif-examples ffmpeg libjpeg-turbo-progs time rclone curl) ;;
  bench) want+=(chromium libimage-exiftool-perl libheif-examples ffmpeg libjpeg-turbo-progs libvips-tools wrk time) ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing Debian packages: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# A mirror mid-sync can fail one index; the install below says if it matters.
$sudo apt-get update -qq >/dev/null 2>&1 || echo "apt-get update reported errors; trying the install anyway" >&2
$sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
