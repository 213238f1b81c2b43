#!/usr/bin/env bash
# Builds and runs the test suite: installs what is missing, builds the preset and runs
# ctest. Usage: ci/test.sh [default|asan|tsan] (tsan: the concurrency tests its test preset
# selects, built and run under ThreadSanitizer with ci/tsan.supp)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
ci/build.sh "$preset"
ctest --preset "$preset"
