#!/usr/bin/env bash
# Thumbnail benchmark: Pinhole's renderer against vipsthumbnail on the same
# generated 12 MP and 24 MP photo-like JPEGs (baseline and progressive), in
# the same run, interleaved, medians of ROUNDS rounds. Reports CPU-time and
# wall-time ratios (Pinhole / vips; lower is better) and peak RSS, then the
# peak RSS added per concurrent 24 MP render.
#
# Needs: go, libturbojpeg0-dev, libvips-tools (vipsthumbnail), /usr/bin/time.
# Files are generated once into .bench/ (gitignored).
#
#   scripts/bench-thumbs.sh            # 5 rounds
#   ROUNDS=7 scripts/bench-thumbs.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
BENCH=.bench
IN=$BENCH/in
OUT=$BENCH/out
BIN=$BENCH/benchthumbs

for tool in vipsthumbnail vips /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install libvips-tools time)" >&2; exit 1; }
done

mkdir -p "$IN" "$OUT"
go build -o "$BIN" ./thumbs/internal/benchthumbs

# 6 baseline + 5 progressive files at each of 12 MP and 24 MP: 22 files.
"$BIN" gen -dir "$IN" -w 4000 -h 3000 -n 6 -seed 100 >/dev/null
"$BIN" gen -dir "$IN" -w 6000 -h 4000 -n 6 -seed 200 >/dev/null
for mp in 12 24; do
	for i in 00 01 02 03 04; do
		src=$IN/photo_${mp}mp_$i.jpg dst=$IN/photo_${mp}mp_${i}_progressive.jpg
		[ -e "$dst" ] || vips copy "$src" "$dst[Q=90,interlace]"
	done
done
mapfile -t FILES < <(ls "$IN"/*.jpg)
echo "files: ${#FILES[@]} ($(du -sh "$IN" | cut -f1))"

# measure NAME CMD… appends "wall cpu rss_kb" for one run to $BENCH/NAME.
measure() {
	local name=$1
	shift
	rm -rf "$OUT" && mkdir -p "$OUT"
	/usr/bin/time -f "%e %U %S %M" -o "$BENCH/time.tmp" "$@" >/dev/null 2>"$BENCH/err.tmp" ||
		{ cat "$BENCH/err.tmp" >&2; exit 1; }
	awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$BENCH/time.tmp" >>"$BENCH/$name"
}

pinhole() { measure "pinhole_$1" "$BIN" render -size "$1" -out "$OUT" "${FILES[@]}"; }
vips_run() {
	local name=$1 geom=$2
	shift 2
	measure "vips_$name" vipsthumbnail -s "$geom" "$@" -o "$OUT/%s_$name.jpg[Q=85]" "${FILES[@]}"
}

SIZES="fit_720 tile_224 fit_1920"
for s in $SIZES; do rm -f "$BENCH/pinhole_$s" "$BENCH/vips_$s"; done
for r in $(seq 1 "$ROUNDS"); do
	for s in $SIZES; do
		case $s in
		fit_720) v=(fit_720 720x720) ;;
		tile_224) v=(tile_224 224x224 --smartcrop centre) ;;
		fit_1920) v=(fit_1920 1920x1200) ;;
		esac
		# Alternate who goes first, so caches and CPU boost favour neither.
		if ((r % 2)); then pinhole "$s"; vips_run "${v[@]}"; else vips_run "${v[@]}"; pinhole "$s"; fi
	done
	echo "round $r done"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { awk -v c="$2" '{print $c}' "$BENCH/$1" | median; }

echo
printf "%-9s %9s %9s %9s %9s %8s %8s %10s %10s\n" size pin_cpu vips_cpu pin_wall vips_wall cpu_x wall_x pin_rss_MB vips_rss_MB
for s in $SIZES; do
	pc=$(col "pinhole_$s" 2) vc=$(col "vips_$s" 2) pw=$(col "pinhole_$s" 1) vw=$(col "vips_$s" 1)
	pr=$(col "pinhole_$s" 3) vr=$(col "vips_$s" 3)
	awk -v s="$s" -v pc="$pc" -v vc="$vc" -v pw="$pw" -v vw="$vw" -v pr="$pr" -v vr="$vr" 'BEGIN {
		printf "%-9s %8.2fs %8.2fs %8.2fs %8.2fs %7.2fx %7.2fx %10.1f %10.1f\n", s, pc, vc, pw, vw, pc/vc, pw/vw, pr/1024, vr/1024 }'
done

# Peak RSS added per concurrent render: 24 MP baseline files, fit_720,
# rendered one at a time and then four at a time.
mapfile -t BIG < <(ls "$IN"/photo_24mp_0?.jpg)
for j in 1 4; do
	rm -f "$BENCH/conc_$j"
	for r in 1 2 3; do measure "conc_$j" "$BIN" render -size fit_720 -j "$j" -out "$OUT" "${BIG[@]}"; done
done
r1=$(col conc_1 3) r4=$(col conc_4 3)
awk -v a="$r1" -v b="$r4" 'BEGIN {
	printf "\npeak RSS, 24 MP baseline fit_720: 1 at a time %.1f MB, 4 at a time %.1f MB: %.1f MB added per concurrent render\n",
		a/1024, b/1024, (b-a)/3/1024 }'
