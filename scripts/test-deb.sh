#!/usr/bin/env bash
# Installs the amd64 .deb on this machine and checks it the way an owner
# would: dpkg -i, pinhole doctor passes, the binary serves, removal keeps
# /var/lib/pinhole, purge removes it. Cleans up after itself. Needs root
# (CI runs as root); skips nothing silently: without root it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test-deb: needs root (dpkg -i)" >&2; exit 1; }
if dpkg-query -W -f='${Status}' pinhole 2>/dev/null | grep -q "install ok installed"; then
  echo "test-deb: a pinhole package is already installed here; refusing to touch it" >&2
  exit 1
fi
corpus=${PINHOLE_CORPUS:-../shared/corpus}
[ -f "$corpus/exiftool.json" ] || { echo "test corpus not found at $corpus (set PINHOLE_CORPUS)" >&2; exit 1; }
scripts/build.sh amd64 >/dev/null
deb=$(scripts/package.sh amd64 | tail -1)
photos=$(mktemp -d)
cleanup() {
  [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true
  dpkg -P pinhole >/dev/null 2>&1 || true
  rm -rf "$photos"
}
trap cleanup EXIT
cp "$corpus/exiftool-t/Apple.jpg" "$photos/"
chmod -R a+rX "$photos"

dpkg -i "$deb" >/dev/null
test -x /usr/bin/pinhole
test -f /lib/systemd/system/pinhole.service
grep -q '^#originals' /etc/pinhole/pinhole.conf
getent passwd pinhole >/dev/null
test -d /var/lib/pinhole
echo "originals = $photos" >> /etc/pinhole/pinhole.conf
echo "listen = 127.0.0.1:18077" >> /etc/pinhole/pinhole.conf

# doctor, as the service user with the service's config.
runuser -u pinhole -- env STATE_DIRECTORY=/var/lib/pinhole /usr/bin/pinhole doctor --config /etc/pinhole/pinhole.conf

# The binary serves (no systemd in a container: start it as the unit would).
runuser -u pinhole -- env STATE_DIRECTORY=/var/lib/pinhole /usr/bin/pinhole serve --config /etc/pinhole/pinhole.conf >/tmp/pinhole-deb.log 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS http://127.0.0.1:18077/healthz >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS http://127.0.0.1:18077/healthz | grep -q ok
for _ in $(seq 1 100); do [ -f /var/lib/pinhole/pinhole.db ] && break; sleep 0.1; done
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
test -f /var/lib/pinhole/pinhole.db

# Removal keeps the data; purge deletes it.
dpkg -r pinhole >/dev/null
test ! -e /usr/bin/pinhole
test -f /var/lib/pinhole/pinhole.db || { echo "removal deleted the database" >&2; exit 1; }
dpkg -P pinhole >/dev/null
test ! -e /var/lib/pinhole || { echo "purge left /var/lib/pinhole" >&2; exit 1; }
echo "deb ok: $deb ($(du -k "$deb" | cut -f1) KB)"
