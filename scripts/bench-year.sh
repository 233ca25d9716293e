#!/usr/bin/env bash
# Generates a year at 1/FACTOR of the 2023 national volume through the real write path, verifies
# its audit log, and times the interactive queries on it (docs/BENCHMARKS.md, "A national year").
#   scripts/bench-year.sh BUILD_DIR FACTOR [DATA_DIR]
# DAYS=N writes only the year's first N days (a partial year; default 365).
# RESUME=1 continues the year in DATA_DIR from the day after its last run stopped (a run stops
# at the end of a day on SIGINT or SIGTERM, or after DAYS, and saves its state to go on).
# BUILD_DIR must be configured with -DJIJIAN_BUILD_TESTS=ON; DATA_DIR defaults to
# /tmp/jijian-year-FACTOR and is replaced.
set -euo pipefail
build=${1:?usage: bench-year.sh BUILD_DIR FACTOR [DATA_DIR]}
factor=${2:?usage: bench-year.sh BUILD_DIR FACTOR [DATA_DIR]}
data=${3:-/tmp/jijian-year-$factor}
ninja -C "$build" jijian_bench_year
bin="$build/tests/bench/jijian_bench_year"
echo "machine: $(nproc) cores, $(uptime)"
resume=()
if [[ "${RESUME:-0}" == 1 ]]; then resume=(--resume); else rm -rf "$data"; fi
rc=0
/usr/bin/time -f "generate: %e s wall, %M kB peak RSS" "$bin" generate --factor "$factor" \
  --days "${DAYS:-365}" --data "$data" --verify "${resume[@]}" || rc=$?
if [[ $rc == 3 ]]; then
  echo "stopped at the end of a day; RESUME=1 $0 $build $factor $data continues"
  exit 0
fi
[[ $rc == 0 ]] || exit "$rc"
du -sh "$data/db"
/usr/bin/time -f "query: %e s wall, %M kB peak RSS" "$bin" query --data "$data" --samples "${SAMPLES:-2000}"
echo "machine: $(uptime)"
