#!/usr/bin/env bash
# Intake benchmark (docs/BENCHMARKS.md, "Intake against the substrate"): builds the load
# generator and the server in BUILD_DIR (configured with -DJIJIAN_BUILD_TESTS=ON, ideally
# Release or RelWithDebInfo), then runs it against one fresh jijian-server process.
# Usage: scripts/bench-intake.sh BUILD_DIR [jijian_bench_intake flags...]
# e.g.   scripts/bench-intake.sh build-bench --concurrency 1,8,32,64 --calls 3000 --seconds 10
# Exits non-zero if any call failed or petition numbers are not gap-free.
set -euo pipefail
build_dir=${1:?usage: scripts/bench-intake.sh BUILD_DIR [flags...]}
shift
cmake --build "$build_dir" --target jijian_bench_intake jijian-server -j "$(nproc)"
echo "# $(date -u '+%Y-%m-%d %H:%M:%S UTC'); uptime:$(uptime)"
echo "# build type: $(grep -E '^CMAKE_BUILD_TYPE:' "$build_dir/CMakeCache.txt" | cut -d= -f2)"
status=0
"$build_dir/tests/bench/jijian_bench_intake" --server-bin "$build_dir/server/jijian-server" "$@" ||
  status=$?
echo "# uptime at the end:$(uptime)"
exit $status
