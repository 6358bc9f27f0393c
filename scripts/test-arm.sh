#!/usr/bin/env bash
# Cross-compiles the Go tests of every package that needs no browser for
# arm64 and armv7 and runs them under qemu-user (qemu-aarch64-static,
# qemu-arm-static), -short. Slow (emulation): run by `make test-arm`. Tests that
# start the test binary again go through the emulator (PINHOLE_TEST_EXEC).
#   scripts/test-arm.sh [arm64|armv7 …]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(arm64 armv7)
scripts/build.sh --deps-only "${targets[@]}"
dpkg-query -W -f='${Status}' qemu-user-static 2>/dev/null | grep -q "install ok installed" || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq qemu-user-static >/dev/null
}
# The binaries run against the multiarch libc (libc6:arm64/armhf, pulled in
# by libturbojpeg0-dev:<arch>); pointing qemu at the cross toolchain's
# /usr/<triplet> instead made cgo binaries hang at start-up.
# Packages whose tests run self-contained (the app package's tests build and
# run the host binary, so they stay on amd64).
pkgs=(./db ./app/config ./app/meta ./app/index ./app/watch ./app/places ./app/demo ./app/auth ./thumbs ./thumbs/internal/progressive)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail=0
for t in "${targets[@]}"; do
  case $t in
    arm64) goarch=arm64; goarm=; cc=aarch64-linux-gnu-gcc; qemu=qemu-aarch64-static ;;
    armv7) goarch=arm; goarm=7; cc=arm-linux-gnueabihf-gcc; qemu=qemu-arm-static ;;
  esac
  for p in "${pkgs[@]}"; do
    bin="$out/$t-$(echo "$p" | tr / _).test"
    CGO_ENABLED=1 GOOS=linux GOARCH=$goarch GOARM=$goarm CC=$cc \
      go test -c -tags 'sqlite_fts5 turbostatic synthetic' -o "$bin" "$p"
    [ -f "$bin" ] || continue   # a package without tests
    start=$(date +%s)
    if (cd "$p" && PINHOLE_TEST_EXEC=$(command -v "$qemu") timeout -s KILL 30m "$qemu" "$bin" -test.short -test.timeout 20m >"$bin.log" 2>&1); then
      echo "ok   $t $p ($(( $(date +%s) - start ))s)"
    else
      echo "FAIL $t $p"; tail -30 "$bin.log"; fail=1
    fi
  done
done
exit $fail
