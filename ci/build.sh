#!/usr/bin/env bash
# Installs what is missing, then configures and builds one CMake preset (default: "default"):
# every target, or the targets its build preset lists (tsan: only the tests it runs).
# Usage: ci/build.sh [preset]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-default}
ci/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
