#!/usr/bin/env bash
# One command to run every test: installs what is missing, builds, runs ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build RelWithDebInfo -DJIJIAN_BUILD_TESTS=ON
cd build
ctest --output-on-failure -j "$(nproc)" --timeout 600
cd ..

# The storage layer's tests again under AddressSanitizer, LeakSanitizer and UBSan. The whole
# suite under them is `scripts/sanitize.sh` (its build alone takes 20–30 min on 2 cores, past
# CI's budget); JIJIAN_TEST_SANITIZE=0 skips this part.
if [[ ${JIJIAN_TEST_SANITIZE:-1} != 0 ]]; then
  scripts/sanitize.sh storage
fi
