#!/usr/bin/env bash
# The main job: installs what is missing, builds, and runs every scenario in scenarios/ against
# the embedded mock server. Extra arguments go to `pop3-conform run` (e.g. --junit report.xml).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh default >/dev/null
build/default/cli/pop3-conform run scenarios/ -j "$(nproc)" "$@"
