#!/usr/bin/env bash
# The demo job: builds pop3-example-server, serves a generated mailbox over STLS with a
# certificate made for the run, and has Python's poplib log in, list, retrieve every message
# (checking the bytes), delete one and quit; the deleted file must be gone afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh default >/dev/null

work=$(mktemp -d)
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

mkdir "$work/mail"
printf 'From: ann@example.org\r\nSubject: first\r\n\r\nHello.\r\n.leading dot\r\n' >"$work/mail/msg-1"
printf 'From: bob@example.org\nSubject: second\n\nLF line ends\nare sent as CRLF\n' >"$work/mail/msg-2"
printf 'From: cat@example.org\r\nSubject: third\r\n\r\nBye.\r\n' >"$work/mail/msg-3"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$work/server.key" -out "$work/server.pem" 2>/dev/null

build/default/docs/examples/pop3-example-server --dir "$work/mail" --user demo \
  --password demo-pw --port 0 --cert "$work/server.pem" --key "$work/server.key" \
  >"$work/server.out" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$work/server.out" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$work/server.out")
[ -n "$port" ] || { echo "pop3-example-server did not start" >&2; exit 1; }
echo "pop3-example-server listening on 127.0.0.1:$port"

python3 - "$port" "$work" <<'PY'
import os, poplib, ssl, sys

port, work = int(sys.argv[1]), sys.argv[2]
tls = ssl.create_default_context(cafile=os.path.join(work, "server.pem"))
pop = poplib.POP3("127.0.0.1", port, timeout=10)
print("S:", pop.getwelcome().decode())
print("C: STLS ->", pop.stls(tls).decode())
print("C: USER/PASS ->", pop.user("demo").decode(), pop.pass_("demo-pw").decode())
count, octets = pop.stat()
print(f"C: STAT -> {count} messages, {octets} octets")
uids = dict(line.decode().split() for line in pop.uidl()[1])
for number, uid in sorted(uids.items()):
    lines = pop.retr(int(number))[1]
    with open(os.path.join(work, "mail", uid), "rb") as f:
        expected = f.read().replace(b"\r\n", b"\n").split(b"\n")
    if expected[-1] == b"":
        expected.pop()
    status = "identical" if lines == expected else "DIFFERENT"
    print(f"C: RETR {number} ({uid}) -> {len(lines)} lines, {status}")
    if lines != expected:
        sys.exit(f"message {uid} differs")
print("C: DELE 2 ->", pop.dele(2).decode())
print("C: QUIT ->", pop.quit().decode())
left = sorted(os.listdir(os.path.join(work, "mail")))
print("mailbox after QUIT:", left)
if left != ["msg-1", "msg-3"]:
    sys.exit("DELE 2 was not applied at QUIT")
PY
echo "demo passed"
