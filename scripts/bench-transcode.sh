#!/usr/bin/env bash
# Video conversion on this machine (issue 17): how fast a 1080p, 10 s,
# 30 fps HEVC clip (what an iPhone records) converts to H.264/AAC as a
# multiple of real time, how soon the first bytes stream, and ffmpeg's
# peak resident memory, with the encoder Pinhole chooses here (a Pi 4's
# V4L2 encoder or Intel VAAPI when present, else libx264 veryfast). The
# load average before and after is printed beside the figures: on a busy
# machine the speed is lower.
#   scripts/bench-transcode.sh [runs]   (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
runs=${1:-1}
echo "machine: $(nproc) CPUs, $(uname -m), $(ffmpeg -version | head -1)"
for i in $(seq "$runs"); do
  echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  PINHOLE_BENCH_TRANSCODE=1 go test -count=1 -run '^TestBenchTranscode$' -v ./app/transcode/ | grep '^bench-transcode:'
  echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"
done
