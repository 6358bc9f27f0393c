#!/usr/bin/env bash
# Release binaries for linux/amd64, linux/arm64 and linux/arm (v7), with cgo
# (SQLite, libjpeg-turbo linked statically) through Debian's
# cross-compilers, the web UI and geodata embedded. Reproducible: the same
# commit gives the same bytes (SOURCE_DATE_EPOCH, -trimpath, no build ids
# from paths).
#   scripts/build.sh [amd64|arm64|armv7 …]     default: all three
# Output: dist/pinhole-linux-<arch>
set -euo pipefail
cd "$(dirname "$0")/.."
deps_only=
[ "${1:-}" = --deps-only ] && { deps_only=1; shift; }
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(amd64 arm64 armv7)

version=${VERSION:-$(git describe --tags --always 2>/dev/null || echo dev)}
commit=${COMMIT:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

need=()
for t in "${targets[@]}"; do
  case $t in
    amd64) need+=(gcc libturbojpeg0-dev) ;;
    arm64) need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libturbojpeg0-dev:arm64) ;;
    armv7) need+=(gcc-arm-linux-gnueabihf libc6-dev-armhf-cross libturbojpeg0-dev:armhf) ;;
    *) echo "unknown target $t (amd64, arm64, armv7)" >&2; exit 2 ;;
  esac
done
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  case " ${missing[*]}" in *:arm64*) $sudo dpkg --add-architecture arm64 ;; esac
  case " ${missing[*]}" in *:armhf*) $sudo dpkg --add-architecture armhf ;; esac
  $sudo apt-get update -qq >/dev/null 2>&1 || echo "apt-get update reported errors; trying the install anyway" >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
fi

[ -z "$deps_only" ] || exit 0
make -s ui   # the web UI is embedded
mkdir -p dist
for t in "${targets[@]}"; do
  case $t in
    amd64) goarch=amd64; goarm=; cc=gcc ;;
    arm64) goarch=arm64; goarm=; cc=aarch64-linux-gnu-gcc ;;
    armv7) goarch=arm; goarm=7; cc=arm-linux-gnueabihf-gcc ;;
  esac
  out=dist/pinhole-linux-$t
  echo "building $out" >&2
  CGO_ENABLED=1 GOOS=linux GOARCH=$goarch GOARM=$goarm CC=$cc \
  CGO_CFLAGS="-O2 -g0 -ffile-prefix-map=$PWD=." \
    go build -trimpath -buildvcs=false -tags 'sqlite_fts5 turbostatic' \
      -ldflags "-s -w -buildid= -X pinhole/app/version.Version=$version -X pinhole/app/version.Commit=$commit" \
      -o "$out" .
  ls -l "$out" | awk -v t="$t" '{printf "%s: %.1f MB\n", t, $5/1e6}' >&2
done
