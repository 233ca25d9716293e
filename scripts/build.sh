#!/usr/bin/env bash
# Configures and builds jijian. Usage: scripts/build.sh BUILD_DIR BUILD_TYPE [cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:?build dir}
build_type=${2:?build type}
shift 2
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
