#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) in a build directory
# of its own and runs each for a bounded time (docs/testing.md).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [BUILD_DIR]   (defaults: 60, build-fuzz)
#
# Each target starts from its kept corpus (tests/fuzz/corpus/<target>, read only) and
# writes what it discovers to BUILD_DIR/corpus/<target>. A crash stops that target and
# leaves BUILD_DIR/artifacts/<target>/crash-*; fix the bug, then copy the reproducer into
# tests/fuzz/corpus/<target>/ so the replay test (ctest fuzz_replay_<target>) keeps it fixed.
# FUZZ_TARGETS selects targets (default: all three); JOBS sets build parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
dir=${2:-build-fuzz}
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
targets=(${FUZZ_TARGETS:-request_validation audit_event proof_verify})
jobs=${JOBS:-$(nproc)}

scripts/setup.sh
if ! command -v clang++ >/dev/null; then
  echo "fuzz: installing clang (libFuzzer)" >&2
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends clang
fi

start=$SECONDS
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DJIJIAN_BUILD_TESTS=ON -DJIJIAN_FUZZ=ON -DJIJIAN_SANITIZE=address,undefined >/dev/null
cmake --build "$dir" -j "$jobs" --target "${targets[@]/%/_fuzz}"
echo "fuzz: build took $((SECONDS - start)) s" >&2

status=0
for t in "${targets[@]}"; do
  mkdir -p "$dir/corpus/$t" "$dir/artifacts/$t"
  echo "fuzz: $t for $seconds s" >&2
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory.
  if ! "$dir/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/artifacts/$t/" \
      "$dir/corpus/$t" "tests/fuzz/corpus/$t" 2>"$dir/$t.log"; then
    status=1
    echo "fuzz: $t FAILED; reproducer in $dir/artifacts/$t/, log $dir/$t.log" >&2
    grep -E "ERROR|fuzz property|SUMMARY" "$dir/$t.log" | head -n 5 >&2 || true
  fi
  # The final stats: executions, speed, coverage (cov: edges), corpus size.
  grep -E "^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)" \
    "$dir/$t.log" >&2 || true
done
exit "$status"
