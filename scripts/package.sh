#!/usr/bin/env bash
# Debian packages for each architecture from the release binaries
# (scripts/build.sh), with dpkg-deb: /usr/bin/pinhole, the hardened systemd
# unit, /etc/pinhole/pinhole.conf (commented, every option), a `pinhole`
# system user and /var/lib/pinhole. Removal keeps the database; only purge
# deletes /var/lib/pinhole.
#   scripts/package.sh [amd64|arm64|armv7 …]    default: all three
# Output: dist/pinhole_<version>_<debarch>.deb
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(amd64 arm64 armv7)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
# A release tag (v1.2.3) is the version; between tags, 0.0.0+git<commit
# time>.<hash> still sorts newer builds after older ones for dpkg.
version=${VERSION:-$( (git describe --tags --exact-match 2>/dev/null || true) | sed 's/^v//')}
case $version in
  [0-9]*.[0-9]*) ;;
  *) version="0.0.0+git$SOURCE_DATE_EPOCH.$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" ;;
esac

# The commented config file lists every option with its default.
conf=$(go run -tags sqlite_fts5 . config | sed 's|^#data = .*|#data = /var/lib/pinhole|')

for t in "${targets[@]}"; do
  [ -x "dist/pinhole-linux-$t" ] || scripts/build.sh "$t"
  case $t in amd64) debarch=amd64 ;; arm64) debarch=arm64 ;; armv7) debarch=armhf ;; esac
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  install -D -m 0755 "dist/pinhole-linux-$t" "$root/usr/bin/pinhole"
  install -D -m 0644 systemd/pinhole.service "$root/lib/systemd/system/pinhole.service"
  install -d -m 0755 "$root/etc/pinhole"
  {
    echo "# /etc/pinhole/pinhole.conf — read by the pinhole service."
    echo "# Set at least the folder with your photos:"
    echo "#   originals = /srv/photos"
    echo "# and restart: sudo systemctl restart pinhole"
    echo
    echo "$conf"
  } > "$root/etc/pinhole/pinhole.conf"
  chmod 0644 "$root/etc/pinhole/pinhole.conf"
  install -D -m 0644 README.md "$root/usr/share/doc/pinhole/README.md"
  install -D -m 0644 NOTICE "$root/usr/share/doc/pinhole/NOTICE"
  install -D -m 0644 LICENSE "$root/usr/share/doc/pinhole/copyright"
  install -d "$root/DEBIAN"
  size=$(du -sk "$root" | cut -f1)
  cat > "$root/DEBIAN/control" <<CONTROL
Package: pinhole
Version: $version
Architecture: $debarch
Maintainer: Pinhole maintainers <pinhole@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.31), adduser
Recommends: ffmpeg, libheif-examples
Section: graphics
Priority: optional
Homepage: https://localhost/pinhole
Description: self-hosted photo library in one small binary
 Pinhole indexes a photo folder into SQLite, watches it for changes,
 renders thumbnails lazily and serves a fast web app with search, albums,
 places and a world map. It works offline and never writes to the photos.
CONTROL
  echo "/etc/pinhole/pinhole.conf" > "$root/DEBIAN/conffiles"
  cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd pinhole >/dev/null; then
    adduser --system --group --home /var/lib/pinhole --no-create-home --gecos "Pinhole photo library" pinhole >/dev/null
  fi
  # The service may read photos readable by the video/users groups.
  install -d -o pinhole -g pinhole -m 0700 /var/lib/pinhole
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null || true
    systemctl enable pinhole.service >/dev/null || true
    if [ -n "$2" ]; then
      # Upgrade: restart with the new binary (it backs up and migrates the database).
      systemctl restart pinhole.service >/dev/null || true
    else
      systemctl start pinhole.service >/dev/null || true
    fi
  fi
fi
exit 0
POSTINST
  cat > "$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop pinhole.service >/dev/null || true
  systemctl disable pinhole.service >/dev/null || true
fi
exit 0
PRERM
  cat > "$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
# Only purge deletes the photo database, caches and backups; remove and
# upgrade keep /var/lib/pinhole. The photos themselves are never touched.
if [ "$1" = purge ]; then
  rm -rf /var/lib/pinhole /etc/pinhole
  if getent passwd pinhole >/dev/null; then
    deluser --system pinhole >/dev/null 2>&1 || true
  fi
  if getent group pinhole >/dev/null; then
    delgroup --system pinhole >/dev/null 2>&1 || true
  fi
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null 2>&1 || true
fi
exit 0
POSTRM
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  out="dist/pinhole_${version}_${debarch}.deb"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
  rm -rf "$root"
  trap - EXIT
  echo "$out"
done
