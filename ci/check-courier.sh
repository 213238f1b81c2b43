#!/usr/bin/env bash
# Runs the whole conformance catalogue against a private Courier (ci/courier.sh) and compares
# the verdicts with ci/courier-expected.txt: every check not listed there must pass, every
# listed one must give exactly the listed verdict (its comments explain each). Any difference
# fails, so a new deviation or a check that changed its mind never goes unnoticed.
#
#   ci/check-courier.sh [POP3_CONFORM_BINARY] [REPORT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ $(id -u) -ne 0 ]]; then
    echo "check-courier: skipped: ci/courier.sh needs root (mount namespaces)" >&2
    exit 77
fi
binary=${1:-build/default/cli/pop3-conform}
reports=${2:-build/courier-check}
mkdir -p "$reports"

peer=$(mktemp -d /tmp/pop3conform-courier.XXXXXX)
cleanup() {
    ci/courier.sh stop "$peer" || true
    rm -rf "$peer"
}
trap cleanup EXIT
ci/courier.sh start "$peer" >/dev/null
# shellcheck disable=SC1091
. "$peer/peer.env"

status=0
"$binary" check \
    --target "pop3://$COURIER_USER:$COURIER_PASSWORD@127.0.0.1:$COURIER_PLAIN_PORT" \
    --tls-port "$COURIER_TLS_PORT" \
    --user2 "$COURIER_USER2:$COURIER_PASSWORD2" \
    --ca "$COURIER_CA" --tls-name localhost \
    --allow-destructive --seed-command "ci/courier.sh seed $peer" \
    --deliver-command "ci/courier.sh deliver $peer" \
    --json "$reports/courier.json" --junit "$reports/courier.xml" \
    >"$reports/courier.txt" || status=$?
if [[ $status -gt 1 ]]; then
    cat "$reports/courier.txt"
    echo "check-courier: pop3-conform check exited $status" >&2
    exit 1
fi

python3 - "$reports/courier.json" ci/courier-expected.txt <<'EOF'
import json, sys
report = json.load(open(sys.argv[1]))
expected = {}
for line in open(sys.argv[2]):
    line = line.split("#", 1)[0].split()
    if line:
        expected[line[0]] = line[1]
seen = set()
problems = []
for check in report["checks"]:
    seen.add(check["id"])
    want = expected.get(check["id"], "pass")
    if check["verdict"] != want:
        problems.append(f'{check["id"]}: expected {want}, got {check["verdict"]}: '
                        f'{check.get("message", "")}')
for stale in sorted(set(expected) - seen):
    problems.append(f"{stale}: listed in {sys.argv[2]} but not in the catalogue")
counts = {}
for check in report["checks"]:
    counts[check["verdict"]] = counts.get(check["verdict"], 0) + 1
print("Courier:", ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
if problems:
    print("Verdicts that differ from ci/courier-expected.txt:")
    for problem in problems:
        print("  " + problem)
    sys.exit(1)
EOF
