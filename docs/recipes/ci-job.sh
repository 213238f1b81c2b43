#!/usr/bin/env bash
# The scenario job of docs/recipes/ci.md: runs every scenario with a JUnit report, then checks
# that the report has a passing testcase for each scenario file. Exit status: run's (0, 1
# failed, 2 invalid), else 1 when the report is incomplete.
# Usage: ci-job.sh [SCENARIO_DIR [REPORT]]   (defaults: scenarios/ and report.xml)
# POP3_CONFORM names the binary (default: pop3-conform on PATH).
set -euo pipefail
pop3_conform=${POP3_CONFORM:-pop3-conform}
scenarios=${1:-scenarios/}
report=${2:-report.xml}

run_status=0
"$pop3_conform" run "$scenarios" -j "$(nproc)" --junit "$report" || run_status=$?

report_status=0
python3 - "$scenarios" "$report" <<'EOF' || report_status=1
import pathlib
import sys
import xml.etree.ElementTree as ElementTree

scenarios, report = pathlib.Path(sys.argv[1]), sys.argv[2]
files = [p for p in scenarios.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()]
suite = ElementTree.parse(report).getroot()
cases = suite.findall("testcase")
problems = [
    f"{case.get('file')}: {outcome.tag}: {outcome.get('message', '')}"
    for case in cases
    for outcome in case
    if outcome.tag in ("failure", "error")
]
print(f"{report}: {len(cases)} testcases for {len(files)} scenario files, "
      f"{len(problems)} failed")
for problem in problems:
    print("  " + problem)
sys.exit(0 if len(cases) == len(files) and not problems else 1)
EOF
if [ "$run_status" -ne 0 ]; then
  exit "$run_status"
fi
exit "$report_status"
