#!/usr/bin/env bash
# A private Courier POP3 server on loopback, a second real peer for the catalogue.
#
#   ci/courier.sh start DIR    unpack, configure and start it in DIR (created); prints
#                              DIR/peer.env
#   ci/courier.sh seed DIR     give the accounts their messages back: alice gets
#                              $POP3_CONFORM_COUNT (default 5), bob $POP3_CONFORM_COUNT2
#                              (default 2) — the environment `pop3-conform check
#                              --seed-command` sets
#   ci/courier.sh deliver DIR  deliver one new message to $POP3_CONFORM_USER (default alice),
#                              as `pop3-conform check --deliver-command` asks
#   ci/courier.sh stop DIR     stop it and everything it started
#
# courier-pop conflicts with dovecot-pop3d, so it is never installed: its Debian packages are
# downloaded (apt-get download) and unpacked into a cache ($POP3_CONFORM_CACHE, default
# /var/cache/pop3-conform/courier). Courier has /etc/courier, /run/courier and /usr/lib paths
# compiled in, so authdaemond and couriertcpd run in a private mount and PID namespace where
# the unpacked /usr is laid over the real one and DIR's folders are mounted on /etc/courier and
# /run/courier; stopping ends the namespace and with it every process. Plain POP3 with STLS and
# implicit TLS (couriertls) on high free ports of 127.0.0.1, a generated certificate for
# localhost, userdb users with SASL PLAIN LOGIN CRAM-MD5 CRAM-SHA1 CRAM-SHA256, Maildir.
# Needs root (mount namespaces, switching to the mail user), apt-get, unshare and openssl.
set -euo pipefail

maildir_mode=go-rwx
# shellcheck source=ci/maildir-peer.sh
. "$(dirname "$0")/maildir-peer.sh"

usage() {
    echo "usage: $0 start|seed|deliver|stop DIR" >&2
    exit 2
}

[[ $# -eq 2 || ($# -eq 4 && $1 == inside) ]] || usage
action=$1
dir=$(realpath -m "$2")
script=$(realpath "$0")

cache=${POP3_CONFORM_CACHE:-/var/cache/pop3-conform/courier}
packages="courier-pop courier-base courier-authlib courier-authlib-userdb libcourier-unicode4 libgamin0"
mail_user=mail
mail_uid=$(id -u "$mail_user")
mail_gid=$(id -g "$mail_user")

# Downloads and unpacks the packages once; the stamp marks a complete unpack.
unpack() {
    [[ -f $cache/root/.complete ]] && return 0
    mkdir -p "$cache/debs"
    rm -rf "$cache/root"
    local package
    for package in $packages; do
        compgen -G "$cache/debs/${package}_*.deb" >/dev/null && continue
        if ! (cd "$cache/debs" && apt-get download "$package" >/dev/null 2>&1); then
            apt-get update >/dev/null
            (cd "$cache/debs" && apt-get download "$package" >/dev/null)
        fi
    done
    mkdir -p "$cache/root"
    local deb
    for deb in "$cache"/debs/*.deb; do
        dpkg-deb -x "$deb" "$cache/root"
    done
    touch "$cache/root/.complete"
}

userdb_line() {
    local user=$1 password=$2
    local fields="uid=$mail_uid|gid=$mail_gid|home=$dir/mail/$user|mail=$dir/mail/$user"
    fields+="|systempw=$(openssl passwd -1 "$password")"
    local kind
    for kind in md5 sha1 sha256; do
        fields+="|hmac-${kind}pw=$(echo "$password" |
            "$cache/root/usr/sbin/userdbpw" "-hmac-$kind")"
    done
    printf '%s\t%s\n' "$user" "$fields"
}

write_config() {
    mkdir -p "$dir/etc" "$dir/run" "$dir/log" "$dir/mail" \
        "$dir/mnt/etc/courier" "$dir/mnt/run/courier"
    chmod 755 "$dir" "$dir/mail" "$dir/etc"
    # STLS runs couriertls as the user "courier": the namespace's /etc/passwd gets one, sharing
    # the mail user's ids.
    if ! getent passwd courier >/dev/null; then
        {
            cat /etc/passwd
            echo "courier:x:$mail_uid:$mail_gid:Courier:/nonexistent:/usr/sbin/nologin"
        } >"$dir/mnt/etc/passwd"
        chmod 644 "$dir/mnt/etc/passwd"
    fi
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
        -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
        -keyout "$dir/key.pem" -out "$dir/cert.pem" 2>/dev/null
    chmod 644 "$dir/cert.pem"
    cat "$dir/key.pem" "$dir/cert.pem" >"$dir/etc/pop3d.pem"
    chmod 600 "$dir/key.pem" "$dir/etc/pop3d.pem"
    chown "$(id -u courier 2>/dev/null || echo "$mail_uid")" "$dir/etc/pop3d.pem"
    {
        echo 'authmodulelist="authuserdb"'
        echo 'daemons=5'
        echo 'authdaemonvar=/run/courier/authdaemon'
        echo 'DEBUG_LOGIN=0'
        echo 'DEFAULTOPTIONS=""'
        echo 'LOGGEROPTS=""'
    } >"$dir/etc/authdaemonrc"
    {
        userdb_line alice alice-courier-pw
        userdb_line bob bob-courier-pw
    } >"$dir/etc/userdb"
    chmod 600 "$dir/etc/authdaemonrc" "$dir/etc/userdb"
}

# Runs as PID 1 of the private namespace: mounts, starts the daemons and waits; when it ends
# the kernel ends every process left in the namespace.
inside() {
    local plain_port=$1 tls_port=$2
    mount -t overlay overlay -o "lowerdir=$cache/root/usr:/usr" /usr
    mount -t overlay overlay -o "lowerdir=$dir/mnt/etc:/etc" /etc
    mount --bind "$dir/etc" /etc/courier
    mount -t overlay overlay -o "lowerdir=$dir/mnt/run:/run" /run
    mount --bind "$dir/run" /run/courier
    mkdir -p /run/courier/authdaemon
    chmod 755 /run/courier /run/courier/authdaemon
    /usr/sbin/makeuserdb

    trap 'kill $(jobs -p) 2>/dev/null; exit 0' TERM INT
    /usr/lib/courier/courier-authlib/authdaemond &
    for _ in $(seq 1 100); do
        [[ -S /run/courier/authdaemon/socket ]] && break
        sleep 0.1
    done

    local -a pop3env=(
        PATH=/usr/bin:/bin:/usr/sbin:/sbin
        POP3AUTH="PLAIN LOGIN CRAM-MD5 CRAM-SHA1 CRAM-SHA256"
        POP3AUTH_TLS="PLAIN LOGIN CRAM-MD5 CRAM-SHA1 CRAM-SHA256"
        POP3_PROXY=0
        POP3_STARTTLS=YES
        POP3_TLS_REQUIRED=0
        COURIERTLS=/usr/bin/couriertls
        TLS_CERTFILE=/etc/courier/pop3d.pem
        TLS_PRIORITY=NORMAL:-VERS-TLS1.0:-VERS-TLS1.1
        TLS_VERIFYPEER=NONE
    )
    # Ready-made DH parameters when there are any (making them takes minutes); ECDHE needs none.
    [[ -f /usr/share/dovecot/dh.pem ]] && pop3env+=(TLS_DHPARAMS=/usr/share/dovecot/dh.pem)
    local -a tcpd=(/usr/sbin/couriertcpd -address=127.0.0.1 -maxprocs=64 -maxperip=64
        -nodnslookup -noidentlookup)
    local -a pop3=(/usr/lib/courier/courier/courierpop3login
        /usr/lib/courier/courier/courierpop3d Maildir)
    env -i "${pop3env[@]}" "${tcpd[@]}" "$plain_port" "${pop3[@]}" &
    env -i "${pop3env[@]}" POP3_TLS=1 POP3_STARTTLS=NO \
        "${tcpd[@]}" "$tls_port" /usr/bin/couriertls -server -tcpd "${pop3[@]}" &
    wait
}

start() {
    # 77: skipped, as ctest's SKIP_RETURN_CODE says.
    [[ $(id -u) -eq 0 ]] || { echo "$0 needs root (mount namespaces)" >&2; exit 77; }
    unpack
    write_config
    POP3_CONFORM_COUNT=5 POP3_CONFORM_COUNT2=2 seed

    local plain_port tls_port
    for _ in 1 2 3 4 5; do
        plain_port=$(free_port)
        tls_port=$(free_port)
        [[ $plain_port != "$tls_port" ]] || continue
        setsid unshare --mount --propagation private --pid --fork --kill-child --mount-proc \
            "$script" inside "$dir" "$plain_port" "$tls_port" \
            </dev/null >>"$dir/log/courier.log" 2>&1 &
        echo $! >"$dir/namespace.pid"
        for _ in $(seq 1 100); do
            if greets "$plain_port" plain && greets "$tls_port" tls; then
                write_peer_env courier "$plain_port" "$tls_port"
                return 0
            fi
            kill -0 "$(cat "$dir/namespace.pid")" 2>/dev/null || break
            sleep 0.1
        done
        stop
    done
    echo "Courier did not start; its log:" >&2
    tail -n 30 "$dir/log/courier.log" >&2 || true
    exit 1
}

# Whether PID is still the namespace's unshare of this DIR (not gone, a zombie or reused).
running() {
    local pid=$1
    [[ -r /proc/$pid/cmdline ]] || return 1
    grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "inside $dir "
}

stop() {
    local pidfile=$dir/namespace.pid
    [[ -f $pidfile ]] || return 0
    local pid init
    pid=$(cat "$pidfile")
    if running "$pid"; then
        # PID 1 of the namespace stops the daemons; when it ends, the kernel ends whatever is
        # left in the namespace, and unshare exits.
        init=$(pgrep -P "$pid" || true)
        [[ -z $init ]] || kill "$init" 2>/dev/null || true
        for _ in $(seq 1 50); do
            running "$pid" || break
            sleep 0.1
        done
        # unshare ignores SIGTERM; killing it kills its child (--kill-child) and so the rest.
        if running "$pid"; then
            kill -KILL "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do
                running "$pid" || break
                sleep 0.1
            done
        fi
    fi
    rm -f "$pidfile"
}

case $action in
start) start ;;
seed) seed ;;
deliver) deliver ;;
stop) stop ;;
inside) inside "$3" "$4" ;;
*) usage ;;
esac
