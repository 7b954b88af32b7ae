#!/bin/bash
# A private Postfix on loopback for end-to-end tests: SMTP on 127.0.0.1:PORT,
# delivery to per-address Maildirs under DIR/mail, nothing leaves the machine.
# Source it for the functions; run it alone to check that it works.
#
#   pf_start DIR PORT ADDRESS...   start an instance; each ADDRESS (or @domain
#                                  for a catch-all) gets DIR/mail/<name>/
#   pf_milter SOCKET               attach a milter (inet:127.0.0.1:PORT) and reload
#   pf_wait_delivered N [SECS]     wait until N messages sit in the Maildirs
#   pf_maildir ADDRESS             the Maildir folder of an address
#   pf_stop                        stop the instance started last
# Needs root (Postfix's master runs as root) and the postfix package.

pf_maildir() {
    local a=$1
    case $a in @*) echo "$PF_DIR/mail/catchall-${a#@}" ;;
    *) echo "$PF_DIR/mail/$(echo "$a" | tr '@' '_')" ;; esac
}

pf_start() {
    PF_DIR=$1 PF_PORT=$2
    shift 2
    command -v postfix >/dev/null || { echo "postfix is not installed" >&2; return 1; }
    [ "$(id -u)" = 0 ] || { echo "a private postfix needs root" >&2; return 1; }
    mkdir -p "$PF_DIR/queue" "$PF_DIR/data" "$PF_DIR/mail"
    chmod 755 "$PF_DIR"
    local d=$PF_DIR
    while [ "$d" != / ]; do chmod o+x "$d" 2>/dev/null; d=$(dirname "$d"); done
    chown postfix "$PF_DIR/data" "$PF_DIR/mail"
    local uid gid domains=""
    uid=$(id -u postfix) gid=$(id -g postfix)
    : >"$PF_DIR/vmailbox"
    for a in "$@"; do
        local dom=${a#*@} box
        box=$(pf_maildir "$a")
        echo "$a ${box#"$PF_DIR/mail/"}/" >>"$PF_DIR/vmailbox"
        case " $domains " in *" $dom "*) ;; *) domains="$domains $dom" ;; esac
    done
    cat >"$PF_DIR/main.cf" <<EOC
compatibility_level = 3.6
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
mail_owner = postfix
myhostname = ardent-test.localdomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
virtual_mailbox_domains =${domains:- example.invalid}
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = texthash:$PF_DIR/vmailbox
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
recipient_delimiter = +
default_transport = discard:
relay_transport = discard:
alias_maps =
alias_database =
smtpd_banner = \$myhostname ESMTP
message_size_limit = 20480000
EOC
    sed -e "s/^smtp\([[:space:]]\+inet\)/127.0.0.1:$PF_PORT\1/" /etc/postfix/master.cf >"$PF_DIR/master.cf"
    grep -q '^postlog' "$PF_DIR/master.cf" ||
        echo 'postlog   unix-dgram n  -       n       -       1       postlogd' >>"$PF_DIR/master.cf"
    postconf -c "$PF_DIR" -F '*/*/chroot = n' >/dev/null
    if ! postfix -c "$PF_DIR" start >"$PF_DIR/start.log" 2>&1; then
        cat "$PF_DIR/start.log" "$PF_DIR/maillog" 2>/dev/null >&2
        return 1
    fi
    # Ready when the port answers.
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$PF_PORT") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "postfix did not open 127.0.0.1:$PF_PORT" >&2
    return 1
}

pf_milter() {
    postconf -c "$PF_DIR" -e "smtpd_milters = $1" "milter_default_action = accept" \
        "milter_protocol = 6" >/dev/null
    postfix -c "$PF_DIR" reload >/dev/null 2>&1
}

pf_count() {
    find "$PF_DIR/mail" -path '*/new/*' -type f 2>/dev/null | wc -l
}

# Waits for delivery (a bound, not an assertion: callers check the count).
pf_wait_delivered() {
    local want=$1 secs=${2:-60} i
    for i in $(seq 1 $((secs * 10))); do
        [ "$(pf_count)" -ge "$want" ] && return 0
        sleep 0.1
    done
    return 1
}

pf_stop() {
    [ -n "${PF_DIR:-}" ] && postfix -c "$PF_DIR" stop >/dev/null 2>&1
    return 0
}

# Run alone: start an instance, deliver one message through it, stop.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    . "$(dirname "$0")/lib.sh"
    port=$((20000 + RANDOM % 20000))
    if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
        ok "# SKIP postfix harness needs root and postfix"
        done_testing
        exit 0
    fi
    trap 'pf_stop; rm -rf "$T"' EXIT
    check "a private postfix starts on 127.0.0.1:$port" pf_start "$T/pf" "$port" ar@example.com
    python3 - "$port" <<'PY'
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))
s.sendmail("x@example.org", ["ar+tok@example.com"], b"Subject: hi\r\n\r\nhello\r\n")
s.quit()
PY
    pf_wait_delivered 1 30
    check "a plus-addressed message lands in the address's Maildir" \
        grep -rqs hello "$(pf_maildir ar@example.com)/new"
    pf_stop
    done_testing
fi
