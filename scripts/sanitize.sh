#!/usr/bin/env bash
# Builds jijian with sanitizers in a build directory of its own and runs tests under them
# (docs/testing.md). Usage: scripts/sanitize.sh [address,undefined|storage|thread] [BUILD_DIR]
#
#   address,undefined  (default) every ctest test under AddressSanitizer, LeakSanitizer and
#                      UBSan; any finding fails its test. Build dir: build-asan.
#   storage            the same sanitizers on the storage layer's own tests only (crypto,
#                      keyring, Merkle tree, the store and its writer, lists, statistics):
#                      no generated protobuf code to build, so it fits in CI (scripts/test.sh).
#                      Build dir: build-asan-storage.
#   thread             ThreadSanitizer on the tests that run threads: the store's writer and
#                      group commit, SIGKILL crash recovery, key rotation under writes, online
#                      backup, the server's limits and deadlines, the rate limiter, the CLI
#                      (a server started in-process). Build dir: build-tsan.
#
# JOBS sets build parallelism (default: nproc). Prints how long the build and the run took.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-address,undefined}
case "$mode" in
  address,undefined | undefined,address) mode=address,undefined; dir=${2:-build-asan} ;;
  storage) dir=${2:-build-asan-storage} ;;
  thread) dir=${2:-build-tsan} ;;
  *)
    echo "usage: scripts/sanitize.sh [address,undefined|thread] [BUILD_DIR]" >&2
    exit 2
    ;;
esac
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
jobs=${JOBS:-$(nproc)}

# The tests that start threads of their own or a server with its thread pool and writer.
tsan_targets=(storage_store_test crash_test rekey_test backup_test limits_test
              server_rate_limit_test cli_test jijian-server jijian)
tsan_tests='^(StoreTest|CrashTest|RekeyTest|SealedTables|BackupTest|LimitsTest|RequestRateLimiterTest|FailureThrottleTest|CliTest|ServerProcessTest)\.'

# The storage layer's test executables (storage/CMakeLists.txt); ctest labels each test with
# its executable.
storage_targets=(storage_crypto_test storage_merkle_test storage_store_test storage_lists_test
                 storage_stats_test)
storage_labels='^storage_'

scripts/setup.sh
start=$SECONDS
sanitizers=$mode
if [[ $mode == storage ]]; then sanitizers=address,undefined; fi
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DJIJIAN_BUILD_TESTS=ON \
  -DJIJIAN_SANITIZE="$sanitizers" >/dev/null
case $mode in
  thread) cmake --build "$dir" -j "$jobs" --target "${tsan_targets[@]}" ;;
  storage) cmake --build "$dir" -j "$jobs" --target "${storage_targets[@]}" ;;
  *) cmake --build "$dir" -j "$jobs" ;;
esac
built=$SECONDS
echo "sanitize: $mode build took $((built - start)) s" >&2

# Reports also go to files, so that a finding in a process a test starts and kills (the
# crash test's server) or whose exit code it does not check is still seen.
logs="$dir/sanitizer-logs"
rm -rf "$logs" && mkdir -p "$logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$logs/asan"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$logs/ubsan"
export TSAN_OPTIONS="${TSAN_OPTIONS:+$TSAN_OPTIONS:}log_path=$logs/tsan"

cd "$dir"
status=0
case $mode in
  thread) ctest --output-on-failure -j "$jobs" --timeout 1800 -R "$tsan_tests" || status=$? ;;
  storage) ctest --output-on-failure -j "$jobs" --timeout 1800 -L "$storage_labels" || status=$? ;;
  *) ctest --output-on-failure -j "$jobs" --timeout 1800 || status=$? ;;
esac
echo "sanitize: $mode tests took $((SECONDS - built)) s (exit $status)" >&2
if compgen -G "$logs/*" >/dev/null; then
  echo "sanitize: reports in $logs:" >&2
  for f in "$logs"/*; do
    echo "== $f" >&2
    head -n 60 "$f" >&2
  done
  status=1
fi
exit "$status"
