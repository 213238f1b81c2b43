#!/usr/bin/env bash
# Runs the whole conformance catalogue against a private Dovecot (ci/dovecot.sh) and compares
# the verdicts with ci/dovecot-expected.txt: every check not listed there must pass, every
# listed one must give exactly the listed verdict (docs/peers.md explains each). Any difference
# fails, so a new deviation or a check that changed its mind never goes unnoticed.
#
#   ci/check-dovecot.sh [POP3_CONFORM_BINARY] [REPORT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/default/cli/pop3-conform}
reports=${2:-build/dovecot-check}
mkdir -p "$reports"

peer=$(mktemp -d /tmp/pop3conform-dovecot.XXXXXX)
cleanup() {
    ci/dovecot.sh stop "$peer" || true
    rm -rf "$peer"
}
trap cleanup EXIT
ci/dovecot.sh start "$peer" >/dev/null
# shellcheck disable=SC1091
. "$peer/peer.env"

status=0
"$binary" check \
    --target "pop3://$DOVECOT_USER:$DOVECOT_PASSWORD@127.0.0.1:$DOVECOT_PLAIN_PORT" \
    --tls-port "$DOVECOT_TLS_PORT" \
    --user2 "$DOVECOT_USER2:$DOVECOT_PASSWORD2" \
    --ca "$DOVECOT_CA" --tls-name localhost \
    --allow-destructive --seed-command "ci/dovecot.sh seed $peer" \
    --deliver-command "ci/dovecot.sh deliver $peer" \
    --json "$reports/dovecot.json" --junit "$reports/dovecot.xml" \
    >"$reports/dovecot.txt" || status=$?
if [[ $status -gt 1 ]]; then
    cat "$reports/dovecot.txt"
    echo "check-dovecot: pop3-conform check exited $status" >&2
    exit 1
fi

python3 - "$reports/dovecot.json" ci/dovecot-expected.txt <<'EOF'
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
print("Dovecot:", ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
if problems:
    print("Verdicts that differ from ci/dovecot-expected.txt:")
    for problem in problems:
        print("  " + problem)
    sys.exit(1)
EOF
