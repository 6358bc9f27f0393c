#!/usr/bin/env bash
# Robustness run: index a folder of many thousands of hostile files mutated
# from the corpus (truncations, bit flips, zero fills, huge declared sizes,
# deep and cyclic IFD chains). Reports files, errors, time and peak heap.
#   scripts/robustness.sh [COUNT]     default 20000
set -euo pipefail
cd "$(dirname "$0")/.."
PINHOLE_MUTANTS=${1:-20000} go test -tags 'sqlite_fts5 synthetic' -count=1 -timeout 30m -run 'TestMutatedCorpusIndexes$' -v ./app/index | grep -E 'mutated files|recorded error|PASS|FAIL|ok '
