#!/usr/bin/env bash
# Builds and runs the whole test suite: installs what is missing, builds the preset and runs
# ctest. Usage: ci/test.sh [default|asan]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
ci/build.sh "$preset"
ctest --preset "$preset"
