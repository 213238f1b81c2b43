# shellcheck shell=bash disable=SC2154
# Shared by ci/dovecot.sh and ci/courier.sh (sourced): free ports, a readiness probe, peer.env
# and the Maildir mailboxes of the two test accounts. The caller sets $dir (the peer's folder,
# mail in $dir/mail/USER), $mail_uid, $mail_gid and $maildir_mode (chmod of the mail: go+rX or
# go-rwx).

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Succeeds when 127.0.0.1:PORT greets with +OK; MODE "tls" runs a TLS handshake first (any
# certificate).
greets() {
    python3 - "$1" "${2:-plain}" <<'PYTHON'
import socket, ssl, sys
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
        if sys.argv[2] == "tls":
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            s = context.wrap_socket(s)
        sys.exit(0 if s.recv(512).startswith(b"+OK") else 1)
except OSError:
    sys.exit(1)
PYTHON
}

# Writes and prints $dir/peer.env, what ci/check-peer.sh reads: the ports, the CA, and the
# accounts alice and bob with the passwords alice-NAME-pw and bob-NAME-pw.
write_peer_env() {
    local name=$1 plain_port=$2 tls_port=$3
    {
        echo "PEER_PLAIN_PORT=$plain_port"
        echo "PEER_TLS_PORT=$tls_port"
        echo "PEER_CA=$dir/cert.pem"
        echo "PEER_USER=alice"
        echo "PEER_PASSWORD=alice-$name-pw"
        echo "PEER_USER2=bob"
        echo "PEER_PASSWORD2=bob-$name-pw"
    } >"$dir/peer.env"
    cat "$dir/peer.env"
}

# One message of the standard mailbox shape, by position: dot-leading body lines, a short one,
# headers only, then larger generated ones (the shapes of conformance/embedded-mock.yaml).
message_text() {
    local user=$1 position=$2
    case $position in
    1)
        printf 'From: Bob <bob@example.org>\nTo: %s@example.org\nSubject: Byte-stuffing and TOP\nMessage-ID: <stuffing-1@example.org>\n\n' "$user"
        printf 'First body line.\n.A line that starts with a dot.\n..Two dots.\n.\n\nSixth line, after an empty one.\nSeventh line.\nEighth line.\n'
        ;;
    2)
        printf 'From: Carol <carol@example.org>\nTo: %s@example.org\nSubject: Short\n\nOne line only.\n' "$user"
        ;;
    3)
        printf 'From: Dave <dave@example.org>\nSubject: Headers only\n\n'
        ;;
    *)
        printf 'From: Generator <generator@example.org>\nTo: %s@example.org\nSubject: Message %d\n\n' "$user" "$position"
        local line
        for line in $(seq 1 40); do
            printf 'Line %d of message %d: the quick brown fox jumps over the lazy dog.\n' "$line" "$position"
        done
        ;;
    esac
}

# Rewrites USER's Maildir with COUNT messages, numbered in delivery order.
seed_user() {
    local user=$1 count=$2
    local root=$dir/mail/$user
    rm -rf "$root"
    mkdir -p "$root/cur" "$root/new" "$root/tmp"
    local base=$(($(date +%s) - 100000))
    local i name
    for i in $(seq 1 "$count"); do
        name="$((base + i)).M${i}P$$.localhost"
        message_text "$user" "$i" >"$root/tmp/$name"
        mv "$root/tmp/$name" "$root/new/$name"
    done
    chown -R "$mail_uid:$mail_gid" "$root"
    chmod -R "u+rwX,$maildir_mode" "$root"
}

# The accounts' messages back, as `pop3-conform check --seed-command` asks.
seed() {
    seed_user alice "${POP3_CONFORM_COUNT:-5}"
    seed_user bob "${POP3_CONFORM_COUNT2:-2}"
}

# One new message for $POP3_CONFORM_USER (default alice), delivered the Maildir way: written
# into tmp/, renamed into new/.
deliver() {
    local user=${POP3_CONFORM_USER:-alice}
    local root=$dir/mail/$user
    local name
    name="$(date +%s).M$RANDOM$RANDOM.P$$.localhost"
    mkdir -p "$root/tmp" "$root/new"
    printf 'From: Late <late@example.org>\nTo: %s@example.org\nSubject: Delivered now\n\nNew mail.\n' \
        "$user" >"$root/tmp/$name"
    chown "$mail_uid:$mail_gid" "$root/tmp/$name"
    chmod "u+rw,$maildir_mode" "$root/tmp/$name"
    mv "$root/tmp/$name" "$root/new/$name"
}
