#!/bin/sh
# Batch edits of 10,000 photos (issue 16.6): the db-level benchmark (a
# date shift, keywords, stars, a title on 10,000 of 12,000 generated
# photos, one transaction each) and the same through the API while a
# viewer browses (the reader's p50/p99/max during the batch, and how many
# of its requests began and ended inside it).
#
#   scripts/bench-batch.sh [runs per kind]
set -eu
N=${1:-3}
cd "$(dirname "$0")/.."
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
go test -tags 'sqlite_fts5 synthetic' -run '^$' -bench 'BatchEdit10k' -benchtime "${N}x" ./db/
go test -tags 'sqlite_fts5 synthetic' -run '^$' -bench 'BatchEditWhileBrowsing' -benchtime "${N}x" ./web/
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
