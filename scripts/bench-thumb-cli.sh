#!/usr/bin/env bash
# `pinhole thumb` (the command-line batch) against vipsthumbnail on the same
# batches of 24 MP JPEGs, for fit_720 and tile_224 (issue 14): baseline
# files as cameras write them, the same files made progressive by jpegtran
# (libjpeg's default scan script, 4:2:0) and progressive without chroma
# subsampling as vips writes them at quality 90. Both commands run on the
# whole batch in one process, interleaved (who goes first alternates), for
# ROUNDS rounds; it prints the medians of wall time, CPU time (user+sys) and
# peak RSS (/usr/bin/time -v's "Maximum resident set size") of each, their
# ratios, and the load average before and after: on a busy machine the CPU
# ratio is the fair one.
#
# Needs: go, libturbojpeg0-dev, libvips-tools, libjpeg-turbo-progs, time
# (scripts/deps.sh bench). Files are generated once into .bench/thumbcli/.
#
#   scripts/bench-thumb-cli.sh            # 5 rounds of 9 files
#   ROUNDS=7 N=12 scripts/bench-thumb-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
N=${N:-9}
B=.bench/thumbcli
OUT=$B/out

for tool in vipsthumbnail vips jpegtran /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "missing $tool: scripts/deps.sh bench" >&2; exit 1; }
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"

mkdir -p "$B/baseline" "$B/progressive" "$B/progressive444" "$OUT"
go build -tags sqlite_fts5 -trimpath -ldflags '-s -w' -o "$B/pinhole" .
go build -o "$B/benchthumbs" ./thumbs/internal/benchthumbs
"$B/benchthumbs" gen -dir "$B/baseline" -w 6000 -h 4000 -n "$N" -seed 300 >/dev/null
for f in "$B"/baseline/*.jpg; do
	name=$(basename "$f")
	[ -e "$B/progressive/$name" ] || jpegtran -copy all -progressive "$f" >"$B/progressive/$name"
	[ -e "$B/progressive444/$name" ] || vips copy "$f" "$B/progressive444/$name[Q=90,interlace]"
done

# measure NAME CMD… appends "wall cpu rss_kb" of one run to $B/NAME.
measure() {
	local name=$1
	shift
	rm -rf "$OUT" && mkdir -p "$OUT"
	/usr/bin/time -v -o "$B/time.tmp" "$@" >/dev/null 2>"$B/err.tmp" || { cat "$B/err.tmp" >&2; exit 1; }
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); wall = (n == 3) ? p[1]*3600 + p[2]*60 + p[3] : p[1]*60 + p[2] }
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident set size/ { rss = $2 }
		END { printf "%.2f %.2f %d\n", wall, u + s, rss }' "$B/time.tmp" >>"$B/$name"
}

BATCHES="baseline progressive progressive444"
SIZES="fit_720 tile_224"
for batch in $BATCHES; do for s in $SIZES; do rm -f "$B/pinhole_${batch}_$s" "$B/vips_${batch}_$s"; done; done
for r in $(seq 1 "$ROUNDS"); do
	for batch in $BATCHES; do
		files=("$B/$batch"/*.jpg)
		for s in $SIZES; do
			case $s in
			fit_720) v=(-s 720x720) ;;
			tile_224) v=(-s 224x224 --smartcrop centre) ;;
			esac
			pin() { measure "pinhole_${batch}_$s" "$B/pinhole" thumb --size "$s" --out "$OUT" "${files[@]}"; }
			vip() { measure "vips_${batch}_$s" vipsthumbnail "${v[@]}" "${files[@]}" -o "$PWD/$OUT/%s_$s.jpg[Q=85]"; }
			if ((r % 2)); then pin; vip; else vip; pin; fi
		done
	done
	echo "round $r done (load $(cut -d' ' -f1 /proc/loadavg))"
done

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
col() { awk -v c="$2" '{print $c}' "$B/$1" | median; }

echo
echo "$N files of 6000×4000 per batch; medians of $ROUNDS rounds; ratios are Pinhole / vips (lower is better)"
printf "%-15s %-9s %9s %9s %7s %9s %9s %7s %9s %9s\n" batch size pin_wall vips_wall wall_x pin_cpu vips_cpu cpu_x pin_MB vips_MB
for batch in $BATCHES; do
	for s in $SIZES; do
		pw=$(col "pinhole_${batch}_$s" 1) vw=$(col "vips_${batch}_$s" 1)
		pc=$(col "pinhole_${batch}_$s" 2) vc=$(col "vips_${batch}_$s" 2)
		pr=$(col "pinhole_${batch}_$s" 3) vr=$(col "vips_${batch}_$s" 3)
		awk -v b="$batch" -v s="$s" -v pw="$pw" -v vw="$vw" -v pc="$pc" -v vc="$vc" -v pr="$pr" -v vr="$vr" 'BEGIN {
			printf "%-15s %-9s %8.2fs %8.2fs %6.2fx %8.2fs %8.2fs %6.2fx %9.1f %9.1f\n", b, s, pw, vw, pw/vw, pc, vc, pc/vc, pr/1024, vr/1024 }'
	done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
