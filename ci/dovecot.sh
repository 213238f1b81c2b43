#!/usr/bin/env bash
# A private Dovecot POP3 server on loopback, for checking the catalogue against a real peer.
#
#   ci/dovecot.sh start DIR    configure and start it in DIR (created); prints DIR/peer.env
#   ci/dovecot.sh seed DIR     give the accounts their messages back: alice gets
#                              $POP3_CONFORM_COUNT (default 5), bob $POP3_CONFORM_COUNT2
#                              (default 2) — the environment `pop3-conform check
#                              --seed-command` sets
#   ci/dovecot.sh deliver DIR  deliver one new message to $POP3_CONFORM_USER (default alice),
#                              as `pop3-conform check --deliver-command` asks
#   ci/dovecot.sh stop DIR     stop it
#
# Own config folder (/etc/dovecot is never read), high free ports on 127.0.0.1, a generated
# certificate for localhost, passwd-file users, Maildir, APOP and SASL PLAIN LOGIN CRAM-MD5.
# Needs dovecot-core and dovecot-pop3d (ci/install-deps.sh) and openssl.
set -euo pipefail

maildir_mode=go+rX
# shellcheck source=ci/maildir-peer.sh
. "$(dirname "$0")/maildir-peer.sh"

usage() {
    echo "usage: $0 start|seed|deliver|stop DIR" >&2
    exit 2
}

[[ $# -eq 2 ]] || usage
action=$1
dir=$(realpath -m "$2")

if [[ $(id -u) -eq 0 ]]; then
    mail_user=mail
else
    mail_user=$(id -un)
fi
mail_uid=$(id -u "$mail_user")
mail_gid=$(id -g "$mail_user")

write_config() {
    local plain_port=$1 tls_port=$2
    {
        echo "instance_name = pop3conform-$(basename "$dir")-$$"
        echo "base_dir = $dir/run"
        echo "state_dir = $dir/state"
        echo "log_path = $dir/log/dovecot.log"
        echo "protocols = pop3"
        echo "listen = 127.0.0.1"
        echo "hostname = localhost"
        echo "ssl = yes"
        echo "ssl_cert = <$dir/cert.pem"
        echo "ssl_key = <$dir/key.pem"
        echo "ssl_dh = </usr/share/dovecot/dh.pem"
        echo "ssl_min_protocol = TLSv1.2"
        echo "disable_plaintext_auth = no"
        echo "auth_mechanisms = plain login cram-md5 apop"
        echo "passdb {"
        echo "  driver = passwd-file"
        echo "  args = scheme=PLAIN username_format=%u $dir/users"
        echo "}"
        echo "userdb {"
        echo "  driver = passwd-file"
        echo "  args = username_format=%u $dir/users"
        echo "}"
        echo "first_valid_uid = $mail_uid"
        echo "first_valid_gid = $mail_gid"
        echo "mail_location = maildir:$dir/mail/%u"
        echo "pop3_uidl_format = %08Xu%08Xv"
        echo "protocol pop3 {"
        echo "  mail_max_userip_connections = 64"
        echo "}"
        echo "service pop3-login {"
        echo "  inet_listener pop3 {"
        echo "    address = 127.0.0.1"
        echo "    port = $plain_port"
        echo "  }"
        echo "  inet_listener pop3s {"
        echo "    address = 127.0.0.1"
        echo "    port = $tls_port"
        echo "    ssl = yes"
        echo "  }"
        echo "}"
        if [[ $(id -u) -ne 0 ]]; then
            # Without root there is no switching users and no chroot.
            echo "default_login_user = $mail_user"
            echo "default_internal_user = $mail_user"
            echo "default_internal_group = $(id -gn)"
            echo "service anvil {"
            echo "  chroot ="
            echo "}"
            echo "service pop3-login {"
            echo "  chroot ="
            echo "}"
        fi
    } >"$dir/dovecot.conf"
}

start() {
    local dovecot=/usr/sbin/dovecot
    [[ -x $dovecot ]] || { echo "dovecot is not installed (run ci/install-deps.sh)" >&2; exit 1; }
    mkdir -p "$dir/run" "$dir/state" "$dir/log" "$dir/mail"
    chmod 755 "$dir" "$dir/run" "$dir/state" "$dir/log" "$dir/mail"
    chown "$mail_uid:$mail_gid" "$dir/mail"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    chmod 644 "$dir/cert.pem" "$dir/key.pem"
    {
        echo "alice:{PLAIN}alice-dovecot-pw:$mail_uid:$mail_gid::$dir/mail/alice::"
        echo "bob:{PLAIN}bob-dovecot-pw:$mail_uid:$mail_gid::$dir/mail/bob::"
    } >"$dir/users"
    chmod 644 "$dir/users"
    POP3_CONFORM_COUNT=5 POP3_CONFORM_COUNT2=2 seed

    local plain_port tls_port
    for _ in 1 2 3 4 5; do
        plain_port=$(free_port)
        tls_port=$(free_port)
        [[ $plain_port != "$tls_port" ]] || continue
        write_config "$plain_port" "$tls_port"
        "$dovecot" -c "$dir/dovecot.conf" || continue
        for _ in $(seq 1 100); do
            if greets "$plain_port" plain && greets "$tls_port" tls; then
                write_peer_env dovecot "$plain_port" "$tls_port"
                return 0
            fi
            sleep 0.1
        done
        stop
    done
    echo "Dovecot did not start; its log:" >&2
    tail -n 30 "$dir/log/dovecot.log" >&2 || true
    exit 1
}

stop() {
    local pidfile=$dir/run/master.pid
    [[ -f $pidfile ]] || return 0
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    rm -f "$pidfile"
}

case $action in
start) start ;;
seed) seed ;;
deliver) deliver ;;
stop) stop ;;
*) usage ;;
esac
