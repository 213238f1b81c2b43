#!/usr/bin/env bash
# Runs the whole conformance catalogue against a private real server — `dovecot`
# (ci/dovecot.sh) or `courier` (ci/courier.sh) — and compares the verdicts with
# ci/PEER-expected.txt: every check not listed there must pass, every listed one must give
# exactly the listed verdict (docs/peers.md explains each). Any difference fails, so a new
# deviation or a check that changed its mind never goes unnoticed. Exits 77 (skipped) when the
# peer cannot run here (Courier without root).
#
#   ci/check-peer.sh PEER [POP3_CONFORM_BINARY] [REPORT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 && -f ci/$1.sh && -f ci/$1-expected.txt ]] || {
    echo "usage: $0 dovecot|courier [POP3_CONFORM_BINARY] [REPORT_DIR]" >&2
    exit 2
}
peer_name=$1
binary=${2:-build/default/cli/pop3-conform}
reports=${3:-build/$peer_name-check}
mkdir -p "$reports"

peer=$(mktemp -d "/tmp/pop3conform-$peer_name.XXXXXX")
cleanup() {
    "ci/$peer_name.sh" stop "$peer" || true
    rm -rf "$peer"
}
trap cleanup EXIT
status=0
"ci/$peer_name.sh" start "$peer" >/dev/null || status=$?
[[ $status -eq 0 ]] || exit "$status"
# shellcheck disable=SC1091
. "$peer/peer.env"

"$binary" check \
    --target "pop3://$PEER_USER:$PEER_PASSWORD@127.0.0.1:$PEER_PLAIN_PORT" \
    --tls-port "$PEER_TLS_PORT" \
    --user2 "$PEER_USER2:$PEER_PASSWORD2" \
    --ca "$PEER_CA" --tls-name localhost \
    --allow-destructive --seed-command "ci/$peer_name.sh seed $peer" \
    --deliver-command "ci/$peer_name.sh deliver $peer" \
    --json "$reports/$peer_name.json" --junit "$reports/$peer_name.xml" \
    >"$reports/$peer_name.txt" || status=$?
if [[ $status -gt 1 ]]; then
    cat "$reports/$peer_name.txt"
    echo "check-peer: pop3-conform check exited $status" >&2
    exit 1
fi

python3 - "$peer_name" "$reports/$peer_name.json" "ci/$peer_name-expected.txt" <<'PYTHON'
import json, sys
name, report_file, expected_file = sys.argv[1:]
report = json.load(open(report_file))
expected = {}
for line in open(expected_file):
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
    problems.append(f"{stale}: listed in {expected_file} but not in the catalogue")
counts = {}
for check in report["checks"]:
    counts[check["verdict"]] = counts.get(check["verdict"], 0) + 1
print(f"{name}:", ", ".join(f"{n} {v}" for v, n in sorted(counts.items())))
if problems:
    print(f"Verdicts that differ from {expected_file}:")
    for problem in problems:
        print("  " + problem)
    sys.exit(1)
PYTHON
