#!/bin/bash
# ardent-milter behind a real Postfix on loopback (tests/e2e/postfix.sh):
# replies sent over SMTP get the headers and change the store, escalations
# reach the owner's Maildir, other mail passes untouched, forged X-Ardent-*
# headers are gone, a killed milter loses nothing, SIGUSR1 reloads the
# configuration without dropping a connection, and 20 concurrent sessions
# of 100 replies, sent while the agent runs on the same store, are all
# delivered and recorded once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix.sh"
trap 'pf_stop; [ -n "${mpid:-}" ] && kill $mpid 2>/dev/null; rm -rf "$T"' EXIT

if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
    echo "ok 1 # skip needs root and postfix"; echo "1..1"; exit 0
fi
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
milter_conf "$T/ardent.db" "$mport" postfix-test-secret >"$T/ardent.conf"
"$CTL" -c "$T/ardent.conf" import customers "$T/c.csv" >/dev/null
"$CTL" -c "$T/ardent.conf" import invoices "$T/i.csv" >/dev/null

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
m1file=$(grep -l '^Message-ID: <m1@one.example>' "$(box ar@collect.example.com)"/new/* | head -1)
check "forged X-Ardent-Customer is gone from the reply" bash -c "! grep -q '^X-Ardent-Customer: C2' '$m1file'"
check "mail to other recipients is untouched (its own header kept)" \
    bash -c "grep -q '^X-Ardent-Customer: forged' $(box sales@collect.example.com)/new/*"
check "mail to other recipients is not parsed (one log line per receivables message)" \
    test "$(grep -cE 'customer=|unchanged' "$T/milter.log")" = 2
check "the reply carries X-Ardent-Intent" bash -c "grep -q '^X-Ardent-Intent: dispute; confidence=' $(box ar@collect.example.com)/new/*"
    check "the reply carries X-Ardent-Customer" bash -c "grep -q '^X-Ardent-Customer: C1' $(box ar@collect.example.com)/new/*"
    check "the escalation reaches the owner's Maildir" bash -c "grep -lq 'm1@one.example' $(box alice@collect.example.com)/new/*"
    check "the store holds the dispute" test "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM disputes WHERE invoice_id='INV-100'")" = 1
    check "unknown sender with an invoice number: a review item only" \
        test "$(sqlite3 "$T/ardent.db" "SELECT kind FROM escalations WHERE customer_id='C2'")" = review
    check "and no state change for C2" test "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM dunning WHERE customer_id='C2'")" = 0

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

# SIGUSR1 reloads configuration and models without dropping a connection.
# An SMTP session opened before the reload sends one reply, waits across the
# reload, then sends another; Postfix keeps one milter connection per SMTP
# session, so that connection keeps the generation it started with.
msgfile() { grep -l "^Message-ID: <$2>" "$(box "$1")"/new/* 2>/dev/null | head -1; }
python3 - "$sport" "$T/go" >"$T/held.out" 2>&1 <<'PY' &
import os, smtplib, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
def msg(mid):
    return (f"From: pay@one.example\r\nTo: ar@collect.example.com\r\nSubject: Re: INV-100\r\n"
            f"Message-ID: <{mid}>\r\nDate: Mon, 16 Feb 2026 10:00:00 +0000\r\n\r\n"
            f"We will pay INV-100 on Friday.\r\n").encode()
with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
    s.sendmail("pay@one.example", ["ar@collect.example.com"], msg("held-1@one.example"))
    for _ in range(600):
        if os.path.exists(go):
            break
        time.sleep(0.1)
    s.noop()
    s.sendmail("pay@one.example", ["ar@collect.example.com"], msg("held-2@one.example"))
PY
hpid=$!
for i in $(seq 1 300); do [ -n "$(msgfile ar@collect.example.com held-1@one.example)" ] && break; sleep 0.1; done
check "a session opened before the reload delivers its first reply with the headers" \
    grep -q '^X-Ardent-Intent: ' "$(msgfile ar@collect.example.com held-1@one.example)"
# Visible change: the receivables address moves from ar@ to sales@.
cp "$T/ardent.conf" "$T/ardent.conf.orig"
sed -i 's/^receivables = .*/receivables = sales@collect.example.com/' "$T/ardent.conf"
reloads() { grep -c 'configuration and models reloaded' "$T/milter.log"; }
r0=$(reloads)
kill -USR1 $mpid
for i in $(seq 1 300); do [ "$(reloads)" -gt "$r0" ] && break; sleep 0.1; done
check "SIGUSR1: the milter logs the reload" test "$(reloads)" -gt "$r0"
check "the milter is still running after SIGUSR1" kill -0 $mpid
before=$(pf_count)
send u1@one.example pay@one.example sales@collect.example.com "Paid INV-100 yesterday."
send u2@one.example pay@one.example ar@collect.example.com "Paid INV-100 yesterday."
pf_wait_delivered $((before + 2)) 60
check "after the reload a new connection treats sales@ as receivables" \
    grep -q '^X-Ardent-Intent: ' "$(msgfile sales@collect.example.com u1@one.example)"
u2=$(msgfile ar@collect.example.com u2@one.example)
check "and ar@ no longer (delivered, no headers added)" \
    bash -c "[ -n '$u2' ] && ! grep -q '^X-Ardent-Intent: ' '$u2'"
touch "$T/go"
wait $hpid; hrc=$?
sed 's/^/# /' "$T/held.out"
check "the session opened before the reload sends again after it" test "$hrc" = 0
for i in $(seq 1 300); do [ -n "$(msgfile ar@collect.example.com held-2@one.example)" ] && break; sleep 0.1; done
check "its milter connection kept the old generation (ar@ still read)" \
    grep -q '^X-Ardent-Intent: ' "$(msgfile ar@collect.example.com held-2@one.example)"
check "the reply sent across the reload is recorded" \
    test "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM messages WHERE direction='in' AND message_id LIKE '%held-2@one.example%'")" = 1
cp "$T/ardent.conf.orig" "$T/ardent.conf"
r0=$(reloads)
kill -USR1 $mpid
for i in $(seq 1 300); do [ "$(reloads)" -gt "$r0" ] && break; sleep 0.1; done
check "a second SIGUSR1 restores the original configuration" test "$(reloads)" -gt "$r0"

# 20 concurrent sessions of 100 replies each while the nightly agent runs on
# the same store: the two writers must wait for each other, never fail with
# "database is locked", and every reply is recorded once. The ERP export is
# large enough (60,000 customers) that the run overlaps the sessions.
python3 "$TOP/bench/gen-erp.py" "$T" 60000 2026-06-30 4 >/dev/null
for k in customers invoices payments; do
    "$CTL" -c "$T/ardent.conf" import $k "$T/$k.csv" >/dev/null || notok "import $k"
done
before=$(pf_count)
"$AGENT" -c "$T/ardent.conf" -o agent.max_data_age_hours=0 -o agent.templates="$TOP/conf/templates" \
    run --date 2026-06-30 --maildir "$T/out" >"$T/agent.out" 2>"$T/agent.err" &
apid=$!
lines=$(grep -cE 'customer=|unchanged' "$T/milter.log")
python3 - "$sport" >"$T/send.out" <<'PY' &
import smtplib, sys, threading
port = int(sys.argv[1])
errors = []
def session(s):
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as c:
            for i in range(100):
                msg = (f"From: pay@one.example\r\nTo: ar@collect.example.com\r\n"
                       f"Subject: Re: your invoices\r\nMessage-ID: <load-{s}-{i}@one.example>\r\n"
                       f"Date: Mon, 16 Feb 2026 10:00:00 +0000\r\n\r\n"
                       f"We will pay INV-100 next week, reference {s}-{i}.\r\n")
                c.sendmail("pay@one.example", ["ar@collect.example.com"], msg.encode())
    except Exception as e:
        errors.append(f"session {s}: {e}")
ts = [threading.Thread(target=session, args=(s,)) for s in range(20)]
for t in ts: t.start()
for t in ts: t.join()
for e in errors: print("# " + e)
sys.exit(1 if errors else 0)
PY
spid=$!
# The overlap is the point of this part: once 100 replies are recorded, the
# agent must still be at work.
for i in $(seq 1 600); do
    [ "$(grep -cE 'customer=|unchanged' "$T/milter.log")" -ge $((lines + 100)) ] && break
    sleep 0.1
done
check "the agent is still running when 100 replies are recorded" kill -0 $apid
wait $spid; src=$?
sed -n 's/^# /# /p' "$T/send.out"
wait $apid; arc=$?
pf_wait_delivered $((before + 2000)) 300
check "20 sessions of 100 replies are all accepted over SMTP" test "$src" = 0
check "2000 replies over 20 concurrent sessions are all delivered" test "$(pf_count)" -ge $((before + 2000))
check "the agent's run, concurrent with the sessions, exits 0" test "$arc" = 0
check "the agent's run sent its dunning messages" test "$(find "$T/out/new" -type f | wc -l)" -gt 1000
rec=$(sqlite3 "$T/ardent.db" "SELECT count(*) || ' ' || count(DISTINCT message_id) FROM messages
      WHERE direction = 'in' AND message_id LIKE '%load-%@one.example%'")
check "each of the 2000 replies is recorded exactly once (got: $rec)" test "$rec" = "2000 2000"
check "no 'locked' error in the milter's log" bash -c "! grep -qi locked '$T/milter.log'"
check "no 'locked' error from the agent" bash -c "! grep -qi locked '$T/agent.err'"
kill -TERM $mpid; wait $mpid; rc=$?
check "SIGTERM stops the milter cleanly" test "$rc" = 0
done_testing
