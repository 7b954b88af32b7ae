#!/bin/bash
# ardent-milter behind a real Postfix on loopback (tests/e2e/postfix.sh):
# replies sent over SMTP get the headers and change the store, escalations
# reach the owner's Maildir, other mail passes untouched, forged X-Ardent-*
# headers are gone, a killed milter loses nothing, and 20 concurrent sessions
# of 100 messages are all delivered and recorded once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix.sh"
trap 'pf_stop; [ -n "${mpid:-}" ] && kill $mpid 2>/dev/null; rm -rf "$T"' EXIT

if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
    echo "ok 1 # skip needs root and postfix"; echo "1..1"; exit 0
fi
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
sport=$(freeport) mport=$(freeport)
cat >"$T/c.csv" <<CSV
customer_id,name,email,owner,segment
C1,One,pay@one.example,alice@collect.example.com,standard
C2,Two,pay@two.example,bob@collect.example.com,strategic
CSV
cat >"$T/i.csv" <<CSV
invoice_id,customer_id,issue_date,due_date,amount,currency
INV-100,C1,2026-01-01,2026-01-31,100.00,EUR
INV-200,C2,2026-01-01,2026-01-31,200.00,EUR
CSV
cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[milter]
socket = inet:$mport@127.0.0.1
receivables = ar@collect.example.com
collector_domains = collect.example.com
[agent]
token_secret = postfix-test-secret
from = ar@collect.example.com
default_owner = desk@collect.example.com
EOC
"$CTL" -c "$T/ardent.conf" import customers "$T/c.csv" >/dev/null
"$CTL" -c "$T/ardent.conf" import invoices "$T/i.csv" >/dev/null
full=0
if "$CTL" -c "$T/ardent.conf" classify --help >/dev/null 2>&1; then full=1; fi

pf_start "$T/pf" "$sport" ar@collect.example.com alice@collect.example.com \
    bob@collect.example.com desk@collect.example.com sales@collect.example.com ||
    { notok "postfix starts"; done_testing; exit 1; }
ok "postfix starts on 127.0.0.1:$sport"
pf_milter "inet:127.0.0.1:$mport"

start_milter() {
    "$MILTER" -c "$T/ardent.conf" -f 2>>"$T/milter.log" &
    mpid=$!
    local i
    for i in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
check "the milter starts" start_milter

send() {  # send ID FROM TO BODY [extra header lines]
    python3 - "$sport" "$@" <<'PY'
import smtplib, sys
port, mid, frm, to, body = sys.argv[1:6]
extra = sys.argv[6] if len(sys.argv) > 6 else ""
msg = (f"From: {frm}\r\nTo: {to}\r\nSubject: Re: your invoices\r\n"
       f"Message-ID: <{mid}>\r\nDate: Mon, 16 Feb 2026 10:00:00 +0000\r\n{extra}"
       f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n")
with smtplib.SMTP("127.0.0.1", int(port)) as s:
    s.sendmail(frm, [to], msg.encode())
PY
}
box() { pf_maildir "$1"; }
hdr() { grep -h -i "^$2:" "$(box "$1")"/new/* 2>/dev/null; }

send m1@one.example pay@one.example ar@collect.example.com \
    "We dispute invoice INV-100, the goods never arrived. This is unacceptable." \
    $'X-Ardent-Intent: paid; confidence=1.00\r\nX-Ardent-Customer: C2\r\n'
send m2@other.example someone@other.example sales@collect.example.com \
    "Hello sales, X-Ardent-Intent in the body is fine." $'X-Ardent-Customer: forged\r\n'
send m3@unknown.example stranger@unknown.example ar@collect.example.com \
    "Regarding INV-200: please send a copy."
pf_wait_delivered 3 60
check "all three messages are delivered" test "$(pf_count)" -ge 3
check "forged X-Ardent-Intent is gone from the reply" \
    bash -c "! grep -q 'paid; confidence=1.00' $(box ar@collect.example.com)/new/*"
check "forged X-Ardent-Customer is gone" bash -c "! grep -q '^X-Ardent-Customer: C2' $(box ar@collect.example.com)/new/*"
check "mail to other recipients is untouched (its own header kept)" \
    bash -c "grep -q '^X-Ardent-Customer: forged' $(box sales@collect.example.com)/new/*"
check "mail to other recipients is not parsed (one log line per receivables message)" \
    test "$(grep -cE 'customer=|unchanged' "$T/milter.log")" = 2
if [ "$full" = 1 ]; then
    check "the reply carries X-Ardent-Intent" bash -c "grep -q '^X-Ardent-Intent: dispute; confidence=' $(box ar@collect.example.com)/new/*"
    check "the reply carries X-Ardent-Customer" bash -c "grep -q '^X-Ardent-Customer: C1' $(box ar@collect.example.com)/new/*"
    check "the escalation reaches the owner's Maildir" bash -c "grep -lq 'm1@one.example' $(box alice@collect.example.com)/new/*"
    check "the store holds the dispute" test "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM disputes WHERE invoice_id='INV-100'")" = 1
    check "unknown sender with an invoice number: a review item only" \
        test "$(sqlite3 "$T/ardent.db" "SELECT kind FROM escalations WHERE customer_id='C2'")" = review
    check "and no state change for C2" test "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM dunning WHERE customer_id='C2'")" = 0
else
    echo "ok $((_n + 1)) # skip no classifier in this build: headers, store and routing need lib/analyze"; _n=$((_n + 1))
fi

# Kill the milter mid-stream: Postfix's default action delivers everything.
before=$(pf_count)
( for i in $(seq 1 40); do send "k$i@one.example" pay@one.example ar@collect.example.com "Paid yesterday, ref $i"; done ) &
spid=$!
sleep 0.5
kill -KILL $mpid; wait $mpid 2>/dev/null
wait $spid
pf_wait_delivered $((before + 40)) 120
check "with the milter killed mid-stream all 40 messages are delivered" test "$(pf_count)" -ge $((before + 40))
check "the milter restarts" start_milter
before=$(pf_count)
lines=$(grep -cE 'customer=|unchanged' "$T/milter.log")
send r1@one.example pay@one.example ar@collect.example.com "After the restart."
pf_wait_delivered $((before + 1)) 60
check "after the restart the milter reads replies again" \
    test "$(grep -cE 'customer=|unchanged' "$T/milter.log")" -gt "$lines"

# 20 concurrent sessions of 100 messages each.
before=$(pf_count)
smtp-source -s 20 -m 2000 -c -f pay@one.example -t ar@collect.example.com -l 2000 \
    127.0.0.1:$sport >/dev/null 2>&1
pf_wait_delivered $((before + 2000)) 300
check "2000 messages over 20 concurrent sessions are all delivered" test "$(pf_count)" -ge $((before + 2000))
kill -TERM $mpid; wait $mpid; rc=$?
check "SIGTERM stops the milter cleanly" test "$rc" = 0
done_testing
