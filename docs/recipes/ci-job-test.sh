#!/usr/bin/env bash
# Runs ci-job.sh on SCENARIO_DIR in a temporary directory and checks its exit status; when
# a failure is expected, the JUnit report must also carry it.
# Usage: ci-job-test.sh EXPECTED_STATUS SCENARIO_DIR   (POP3_CONFORM names the binary)
set -uo pipefail
expected=$1
scenarios=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$(dirname "$0")/ci-job.sh" "$scenarios" "$work/report.xml"
status=$?
if [ "$status" -ne "$expected" ]; then
  echo "ci-job.sh exited with status $status, expected $expected"
  exit 1
fi
if [ "$expected" -ne 0 ] && ! grep -q '<failure' "$work/report.xml"; then
  echo "ci-job.sh failed as expected, but the report has no <failure>"
  exit 1
fi
