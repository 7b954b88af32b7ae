#!/bin/bash
# Faults around ardent, each showing that no mail is lost, no customer is
# written to twice, and the failure is said clearly: the store's disk full
# (a 512 KB tmpfs), the store read-only (a non-root user), the store locked
# past busy_timeout (a sqlite3 CLI holding BEGIN IMMEDIATE), the models
# missing or corrupt, and a relay that refuses or stops answering. A milter
# killed with SIGKILL under load is covered by milter-postfix.sh.
# Needs root (mount, setpriv, Postfix); without it the test fails, it does
# not skip: these are the checks that matter on a mail server.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix.sh"
cleanup() {
    [ -n "${mpid:-}" ] && kill "$mpid" 2>/dev/null && wait "$mpid" 2>/dev/null
    [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null
    [ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null
    pf_stop
    mountpoint -q "$T/full" 2>/dev/null && umount "$T/full"
    rm -rf "$T"
}
trap cleanup EXIT
if [ "$(id -u)" != 0 ]; then
    notok "faults need root (tmpfs mount, setpriv, Postfix)"; done_testing; exit 1
fi
mport=$(freeport)
# mkconf STORE: a configuration for a store path; short lock and relay
# timeouts so that each fault shows within a test's time.
mkconf() {
    milter_conf "$1" "$mport" faults-secret "busy_timeout_ms = 300" \
        "templates = $TOP/conf/templates
max_data_age_hours = 0
smtp_timeout = 2"
}
cat >"$T/c.csv" <<CSV
customer_id,name,email,owner
A,Alpha GmbH,pay@alpha.example,alice@collect.example.com
CSV
cat >"$T/i.csv" <<CSV
invoice_id,customer_id,issue_date,due_date,amount,currency
A-1,A,2026-01-01,2026-02-01,100.00,EUR
CSV
# reply FILE MESSAGE-ID: a promise from A's contact
reply() {
    printf 'From: pay@alpha.example\r\nTo: ar@collect.example.com\r\nSubject: Re: reminder\r\nMessage-ID: <%s>\r\nDate: Tue, 10 Mar 2026 10:00:00 +0000\r\n\r\nWe will pay invoice A-1 on Friday 13 March.\r\n' "$2" >"$1"
}
# The milter at the protocol level: one reply; want=accept or tempfail; in
# both cases nothing of ardent's is added (the message passes unchanged).
cat >"$T/one.lua" <<'LUA'
local conn = mt.connect(socket, 40, 0.25)
if conn == nil then error("no connection") end
if not mt.test_option(conn, 0x1) then mt.conninfo(conn, "client.example", "127.0.0.1") end
if mt.mailfrom(conn, "<pay@alpha.example>") ~= nil then error("mail from") end
if mt.rcptto(conn, "<ar@collect.example.com>") ~= nil then error("rcpt") end
mt.header(conn, "From", "pay@alpha.example")
mt.header(conn, "To", "ar@collect.example.com")
mt.header(conn, "Subject", "Re: reminder")
mt.header(conn, "Message-ID", "<" .. mid .. ">")
mt.eoh(conn)
mt.bodystring(conn, "We will pay invoice A-1 on Friday 13 March.\r\n")
mt.eom(conn)
local r = mt.getreply(conn)
if want == "accept" then
  if r ~= SMFIR_ACCEPT and r ~= SMFIR_CONTINUE then error("wanted accept, got " .. r) end
else
  if r ~= SMFIR_TEMPFAIL then error("wanted tempfail, got " .. r) end
end
if mt.eom_check(conn, MT_HDRADD, "X-Ardent-Intent") then error("a header was added") end
mt.echo("verdict " .. want)
mt.disconnect(conn)
LUA
# milter_start CONF [wrapper...]: start in the foreground (with $MARGS), wait
# for the port
MARGS=()
milter_start() {
    local conf=$1; shift
    # 7>&-: the lock holder's fifo (A.3) must not stay open in the milter
    "$@" "$MILTER" -c "$conf" "${MARGS[@]}" --date 2026-03-10 -f 2>>"$T/milter.log" 7>&- &
    mpid=$!
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
milter_stop() { kill -TERM "$mpid"; wait "$mpid"; local rc=$?; mpid=; return $rc; }
# one_message WANT MESSAGE-ID: miltertest with the script above
one_message() {
    miltertest -D socket="inet:$mport@127.0.0.1" -D want="$1" -D mid="$2" -s "$T/one.lua" >"$T/mt.out" 2>&1 &&
        grep -q "verdict $1" "$T/mt.out"
}
q() { sqlite3 "$1" "${@:2}"; }

# --- A.1 the store's disk full ----------------------------------------------
mkdir -p "$T/full"
if mount -t tmpfs -o size=512k tmpfs "$T/full"; then
    ok "a 512 KB tmpfs holds the store"
    F="$T/full.conf"; mkconf "$T/full/ardent.db" >"$F"
    "$CTL" -c "$F" import customers "$T/c.csv" >/dev/null && "$CTL" -c "$F" import invoices "$T/i.csv" >/dev/null
    python3 -c "
print('invoice_id,customer_id,issue_date,due_date,amount,currency,po_number')
for i in range(20000): print(f'BIG{i:06d},A,2026-01-01,2026-01-31,{i}.00,EUR,PO-{\"x\" * 40}-{i}')" >"$T/big.csv"
    expect_rc 1 "import onto a full disk exits 1" "$CTL" -c "$F" import invoices "$T/big.csv"
    check "and says the disk is full" grep -q "ardent.db: database or disk is full" "$T/err"
    check "the store is consistent (integrity_check)" [ "$(q "$T/full/ardent.db" 'PRAGMA integrity_check')" = ok ]
    check "and holds none of the rejected file (1 invoice)" [ "$(q "$T/full/ardent.db" 'SELECT count(*) FROM invoices')" = 1 ]
    # Now nothing at all is left: a reply cannot be recorded.
    dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
    reply "$T/r-full.eml" full1@alpha.example
    expect_rc 1 "ingest onto a full disk exits 1" "$CTL" -c "$F" --date 2026-03-10 ingest "$T/r-full.eml"
    check "and names the cause (No space left on device)" grep -qE "No space left on device|disk is full" "$T/err"
    : >"$T/milter.log"
    check "the milter starts on the full disk" milter_start "$F"
    check "the milter passes the reply unchanged (on_error=accept)" one_message accept full2@alpha.example
    check "and logs why, naming the disk" grep -qE "(No space left on device\)|disk is full); message accepted" "$T/milter.log"
    milter_stop
    rm -f "$T/full/filler"
    check "with space again the store is consistent" [ "$(q "$T/full/ardent.db" 'PRAGMA integrity_check')" = ok ]
    check "and no reply was half-recorded" [ "$(q "$T/full/ardent.db" "SELECT count(*) FROM messages WHERE direction='in'")" = 0 ]
    expect_rc 0 "the same reply ingests once there is space" "$CTL" -c "$F" --date 2026-03-10 ingest "$T/r-full.eml"
    umount "$T/full"
else
    notok "mounting a small tmpfs for the store failed: the disk-full checks did not run"
fi

# --- A.2 the store read-only -------------------------------------------------
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
mkdir -p "$T/ro"
R="$T/ro.conf"; mkconf "$T/ro/ardent.db" >"$R"; chmod 644 "$R"
"$CTL" -c "$R" import customers "$T/c.csv" >/dev/null && "$CTL" -c "$R" import invoices "$T/i.csv" >/dev/null
q "$T/ro/ardent.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
rm -f "$T/ro/ardent.db-wal" "$T/ro/ardent.db-shm"
chmod 444 "$T/ro/ardent.db"; chmod 555 "$T/ro"
sum0=$(md5sum <"$T/ro/ardent.db")
expect_rc 1 "import into a read-only store exits 1" "${NOBODY[@]}" "$CTL" -c "$R" import customers "$T/c.csv"
check "and says the store is read-only" grep -q "ardent.db: attempt to write a readonly database" "$T/err"
: >"$T/milter.log"
check "the milter starts as an unprivileged user" milter_start "$R" "${NOBODY[@]}"
check "the milter passes the reply unchanged (on_error=accept)" one_message accept ro1@alpha.example
check "and logs why, naming the read-only store" grep -q "readonly database; message accepted" "$T/milter.log"
milter_stop
check "the read-only store is byte for byte unchanged" [ "$(md5sum <"$T/ro/ardent.db")" = "$sum0" ]
chmod 755 "$T/ro"; chmod 644 "$T/ro/ardent.db"

# --- A.3 the store locked past busy_timeout ---------------------------------
L="$T/lock.conf"; mkconf "$T/ardent.db" >"$L"
"$CTL" -c "$L" import customers "$T/c.csv" >/dev/null && "$CTL" -c "$L" import invoices "$T/i.csv" >/dev/null
mkfifo "$T/lockfifo"
lock() {  # a sqlite3 CLI holding the write lock until unlock
    sqlite3 "$T/ardent.db" <"$T/lockfifo" >/dev/null 2>&1 &
    lpid=$!
    exec 7>"$T/lockfifo"
    echo "BEGIN IMMEDIATE;" >&7
    for _ in $(seq 1 50); do
        sqlite3 -cmd ".timeout 0" "$T/ardent.db" "BEGIN IMMEDIATE; ROLLBACK;" >/dev/null 2>&1 || return 0
        sleep 0.1
    done
    return 1
}
unlock() {  # the CLI ends at end of input; bounded all the same
    echo "ROLLBACK;" >&7; exec 7>&-
    for _ in $(seq 1 50); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.1; done
    kill "$lpid" 2>/dev/null; wait "$lpid" 2>/dev/null; lpid=
}
check "another process holds the store's write lock" lock
: >"$T/milter.log"
check "the milter starts (on_error=accept, busy_timeout 300 ms)" milter_start "$L"
check "a reply passes unchanged while the store is locked" one_message accept lock1@alpha.example
check "and the log line names the lock" grep -q "database is locked; message accepted" "$T/milter.log"
milter_stop
unlock
check "the accepted reply was not recorded (the store was locked)" [ "$(q "$T/ardent.db" "SELECT count(*) FROM messages WHERE message_id='lock1@alpha.example'")" = 0 ]

# on_error=tempfail: the MTA answers 4xx, the sender keeps the message, and
# after the lock is gone the retry is delivered and recorded once.
if command -v postfix >/dev/null; then
    sport=$(freeport)
    if pf_start "$T/pf" "$sport" ar@collect.example.com alice@collect.example.com desk@collect.example.com; then
        pf_milter "inet:127.0.0.1:$mport"
        check "another process holds the lock again" lock
        : >"$T/milter.log"
        MARGS=(-o milter.on_error=tempfail)
        check "the milter starts with on_error=tempfail" milter_start "$L"
        MARGS=()
        reply "$T/r-lock.eml" lock2@alpha.example
        smtp() {
            python3 - "$sport" "$T/r-lock.eml" <<'PY'
import smtplib, sys
try:
    with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=60) as s:
        s.sendmail("pay@alpha.example", ["ar@collect.example.com"], open(sys.argv[2], "rb").read())
    print(250)
except smtplib.SMTPResponseException as e:
    print(e.smtp_code)
PY
        }
        code=$(smtp)
        check "the SMTP client gets a 4xx while the store is locked (got $code)" [ "${code:0:1}" = 4 ]
        check "the milter logs the deferral naming the lock" grep -q "database is locked; message deferred" "$T/milter.log"
        check "Postfix logs the milter's temporary reject" grep -q "milter-reject: END-OF-MESSAGE.*4\.[0-9.]*" "$T/pf/maillog"
        check "nothing was delivered yet" [ "$(pf_count)" = 0 ]
        unlock
        code=$(smtp)
        check "after the lock is released the sender's retry is accepted (got $code)" [ "$code" = 250 ]
        pf_wait_delivered 1 60
        sleep 1
        check "delivered exactly once" [ "$(grep -l "lock2@alpha.example" "$(pf_maildir ar@collect.example.com)"/new/* 2>/dev/null | wc -l)" = 1 ]
        check "and recorded exactly once" [ "$(q "$T/ardent.db" "SELECT count(*) FROM messages WHERE message_id='lock2@alpha.example'")" = 1 ]
        check "with ardent's headers" grep -q "^X-Ardent-Customer: A" "$(pf_maildir ar@collect.example.com)"/new/*
        milter_stop
        pf_stop
    else
        notok "postfix starts"
    fi
else
    notok "postfix is not installed: the tempfail checks did not run"
fi

# --- A.4 the models missing or corrupt --------------------------------------
expect_rc 1 "ardent-milter -n with the models missing fails" "$MILTER" -c "$L" -o classify.models="$T/none" -n
check "and says which models and what to do" grep -q "ardentctl train" "$T/err"
mkdir -p "$T/bad"
cp "$TOP"/models/*.model "$TOP"/models/*.meta "$T/bad/"
head -c 3000 /dev/urandom >"$T/bad/intent.model"
expect_rc 1 "ardent-milter -n with a corrupt intent model fails" "$MILTER" -c "$L" -o classify.models="$T/bad" -n
check "and names the file" grep -q "intent.model" "$T/err"
printf 'svm_type c_svc\nkernel_type linear\nnr_class 8\ntotal_sv 9999999\nSV\n1 1:0.5\n' >"$T/bad/intent.model"
expect_rc 1 "ardent-milter -n with a hand-edited intent model fails (libsvm alone crashed)" "$MILTER" -c "$L" -o classify.models="$T/bad" -n
check "and says the header is incomplete" grep -q "intent.model has an incomplete header" "$T/err"
head -n 40 "$TOP/models/intent.model" >"$T/bad/intent.model"
expect_rc 1 "ardent-milter -n with a truncated intent model fails" "$MILTER" -c "$L" -o classify.models="$T/bad" -n
check "and says it is truncated" grep -q "intent.model holds 30 support vectors where its header says .* (truncated?)" "$T/err"
cp "$TOP"/models/intent.model "$T/bad/"; echo 'garbage' >"$T/bad/features.meta"
expect_rc 1 "ardent-milter -n with a corrupt features.meta fails" "$MILTER" -c "$L" -o classify.models="$T/bad" -n
check "and names the file" grep -q "features.meta" "$T/err"
reply "$T/r-m.eml" m1@alpha.example
expect_rc 1 "ardentctl classify with the models missing exits 1" "$CTL" -c "$L" -o classify.models="$T/none" classify "$T/r-m.eml"
check "and says so" grep -q "ardentctl train" "$T/err"
expect_rc 1 "ardentctl classify with a corrupt model exits 1" "$CTL" -c "$L" -o classify.models="$T/bad" classify "$T/r-m.eml"
check "and names the file" grep -q "features.meta" "$T/err"
expect_rc 1 "ardentctl ingest with a corrupt model exits 1" "$CTL" -c "$L" -o classify.models="$T/bad" ingest "$T/r-m.eml"
check "and records nothing" [ "$(q "$T/ardent.db" "SELECT count(*) FROM messages WHERE message_id='m1@alpha.example'")" = 0 ]

# --- A.5 a relay that refuses or stops answering ----------------------------
# agent-postfix.sh covers a relay that is down (connection refused). Here a
# relay up but refusing RCPT (5xx, 4xx), hanging at RCPT or at DATA (past
# agent.smtp_timeout), then recovering: every customer ends with exactly one
# message for the date, counted at the relay.
cat >"$T/sink.py" <<'PY'
# A small SMTP relay on 127.0.0.1: refuses or hangs per recipient while
# "$T/sink.mode" says "bad", accepts all otherwise; logs each accepted
# message's recipients. Each session is bounded (30 s).
import socketserver, sys, os, time
port, base = int(sys.argv[1]), sys.argv[2]
RULES = {"refuse5@r1.example": ("rcpt", b"550 5.1.1 no such user"),
         "refuse4@r2.example": ("rcpt", b"451 4.3.0 try later"),
         "hang@r3.example": ("rcpt", None), "hangdata@r4.example": ("data", None)}
class H(socketserver.StreamRequestHandler):
    def out(self, s): self.wfile.write(s + b"\r\n"); self.wfile.flush()
    def handle(self):
        self.request.settimeout(30)
        bad = open(base + "/sink.mode").read().strip() == "bad"
        self.out(b"220 sink ESMTP")
        rcpts = []
        try:
            while True:
                line = self.rfile.readline()
                if not line: return
                cmd = line.strip().upper()
                if cmd.startswith(b"EHLO") or cmd.startswith(b"HELO"): self.out(b"250 sink")
                elif cmd.startswith(b"MAIL"): rcpts = []; self.out(b"250 ok")
                elif cmd.startswith(b"RCPT"):
                    a = line.split(b"<", 1)[1].split(b">", 1)[0].decode().lower()
                    rule = RULES.get(a) if bad else None
                    if rule and rule[0] == "rcpt":
                        if rule[1] is None: time.sleep(25); return
                        self.out(rule[1]); continue
                    rcpts.append(a); self.out(b"250 ok")
                elif cmd == b"DATA":
                    if bad and any(RULES.get(a, ("",))[0] == "data" for a in rcpts):
                        time.sleep(25); return
                    self.out(b"354 go on")
                    while self.rfile.readline().rstrip(b"\r\n") != b".": pass
                    with open(base + "/sink.log", "a") as f:
                        for a in rcpts: f.write(a + "\n")
                    self.out(b"250 queued")
                elif cmd == b"RSET": rcpts = []; self.out(b"250 ok")
                elif cmd == b"QUIT": self.out(b"221 bye"); return
                else: self.out(b"250 ok")
        except OSError:
            return
class S(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
S(("127.0.0.1", port), H).serve_forever()
PY
rport=$(freeport)
echo bad >"$T/sink.mode"; : >"$T/sink.log"
timeout 300 python3 "$T/sink.py" "$rport" "$T" &
spid=$!
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$rport") 2>/dev/null && break; sleep 0.1; done
S="$T/relay.conf"; mkconf "$T/relay.db" >"$S"
sed -i "s/^\[agent\]$/[agent]\nrelay = 127.0.0.1:$rport/" "$S"
cat >"$T/rc.csv" <<CSV
customer_id,name,email
R0,Fine Ltd,ok@r0.example
R1,Refuse Five,refuse5@r1.example
R2,Refuse Four,refuse4@r2.example
R3,Hang Rcpt,hang@r3.example
R4,Hang Data,hangdata@r4.example
R5,Also Fine,ok@r5.example
CSV
printf 'invoice_id,customer_id,issue_date,due_date,amount,currency\n' >"$T/ri.csv"
for i in 0 1 2 3 4 5; do echo "RI-$i,R$i,2026-01-01,2026-02-01,1$i.00,EUR" >>"$T/ri.csv"; done
"$CTL" -c "$S" import customers "$T/rc.csv" >/dev/null && "$CTL" -c "$S" import invoices "$T/ri.csv" >/dev/null
start=$(date +%s)
expect_rc 1 "a run against a refusing, hanging relay exits 1" timeout 120 "$AGENT" -c "$S" --date 2026-03-03 run
took=$(( $(date +%s) - start ))
check "the run is bounded by smtp_timeout ($took s)" [ "$took" -lt 60 ]
check "it reports four messages not delivered" grep -q "4 messages not delivered" "$T/err"
check "the first failure carries the relay's reply" grep -q "reply 550" "$T/err"
st=$(q "$T/relay.db" "SELECT group_concat(customer_id || '=' || status, ' ') FROM (SELECT customer_id, status FROM messages WHERE direction='out' ORDER BY customer_id)")
check "failed messages are recorded as failed, the others as sent ($st)" \
    [ "$st" = "R0=sent R1=failed R2=failed R3=failed R4=failed R5=sent" ]
check "the JSON lines say which failed" json "$T/out" \
    'sorted(x["customer"] for x in rows if not x.get("message_id")) == ["R1","R2","R3","R4"]'
echo ok >"$T/sink.mode"
expect_rc 0 "after the relay recovers the next run for the date succeeds" timeout 120 "$AGENT" -c "$S" --date 2026-03-03 run
expect_rc 0 "a third run for the date sends nothing" timeout 120 "$AGENT" -c "$S" --date 2026-03-03 run
check "and says so" grep -q "0 sent" "$T/err"
counts=$(sort "$T/sink.log" | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
check "the relay took exactly one message per customer ($counts)" \
    [ "$counts" = "hang@r3.example=1 hangdata@r4.example=1 ok@r0.example=1 ok@r5.example=1 refuse4@r2.example=1 refuse5@r1.example=1 " ]
check "every message is now recorded sent, one row per customer" \
    [ "$(q "$T/relay.db" "SELECT count(*), count(DISTINCT customer_id) FROM messages WHERE direction='out' AND status='sent'")" = "6|6" ]
kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null; spid=

# --- A.6 the milter killed with SIGKILL under load ---------------------------
echo "# A.6: a milter killed with SIGKILL mid-stream is covered by milter-postfix.sh"
done_testing
