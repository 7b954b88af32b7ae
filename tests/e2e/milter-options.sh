#!/bin/bash
# ardent-milter's command line: --option as -o, -p checked as milter.socket
# is, and relative paths resolved as the user meant them (the command line's
# against the directory it was started in, even once detached and after a
# SIGUSR1 reload; the configuration's against the file's folder).
. "$(dirname "$0")/lib.sh"

cat >"$T/c.csv" <<CSV
customer_id,name,email,owner,segment
C1,One,pay@one.example,alice@collect.example.com,standard
CSV
cat >"$T/i.csv" <<CSV
invoice_id,customer_id,issue_date,due_date,amount,currency
INV-100,C1,2026-01-01,2026-01-31,100.00,EUR
CSV
# One reply from the customer to RCPT, as Message-ID <ID@one.example>.
cat >"$T/one.lua" <<'LUA'
local conn = mt.connect(socket, 40, 0.25)
if conn == nil then error("connect") end
local function step(r, what) if r ~= nil then error(what) end end
step(mt.mailfrom(conn, "<pay@one.example>"), "mail from")
step(mt.rcptto(conn, "<" .. rcpt .. ">"), "rcpt")
step(mt.data(conn), "data")
-- mail for someone else than the receivables is accepted here, unread
if mt.getreply(conn) == SMFIR_ACCEPT then mt.disconnect(conn) return end
step(mt.header(conn, "From", "Pay <pay@one.example>"), "From")
step(mt.header(conn, "To", rcpt), "To")
step(mt.header(conn, "Subject", "Re: invoice INV-100"), "Subject")
step(mt.header(conn, "Message-ID", "<" .. id .. "@one.example>"), "Message-ID")
step(mt.eoh(conn), "eoh")
step(mt.bodystring(conn, "We will pay invoice INV-100 on Friday.\r\n"), "body")
step(mt.eom(conn), "eom")
mt.disconnect(conn)
LUA
send_one() {  # SOCKET RCPT ID
    miltertest -D socket="$1" -D rcpt="$2" -D id="$3" -s "$T/one.lua" >>"$T/mt.out" 2>&1
}
# wait_for FILE: up to 10 s for FILE to appear
wait_for() { for _ in $(seq 1 100); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
# stop PID: SIGTERM, then up to 10 s for the process to go
stop() {
    kill -TERM "$1" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null; return 1
}
models_conf() {  # DIR SOCKET [EXTRA MILTER LINES]: a configuration in DIR
    mkdir -p "$1"
    cat >"$1/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[milter]
socket = $2
receivables = ar@collect.example.com
collector_domains = collect.example.com
${3:-}
[classify]
models = $TOP/models
EOC
    echo "$1/ardent.conf"
}

# --- --option is -o: the milter must not drop it when it loads its context.
cfg=$(models_conf "$T/base" "inet:$(freeport)@127.0.0.1")
expect_rc 1 "-o classify.models=/nonexistent fails the check" \
    "$MILTER" -c "$cfg" -n -o classify.models=/nonexistent
expect_rc 1 "--option=classify.models=/nonexistent fails the check too" \
    "$MILTER" -c "$cfg" -n --option=classify.models=/nonexistent
expect_rc 1 "--option classify.models=/nonexistent (two words) fails the check too" \
    "$MILTER" -c "$cfg" -n --option classify.models=/nonexistent
# --db wins over -o store.path, in the milter as in ardentctl: a store path
# that is a folder cannot be opened, so which one was used shows.
mkdir -p "$T/dbdir"
"$CTL" -c "$cfg" --db "$T/opt.db" import customers "$T/c.csv" >/dev/null
"$CTL" -c "$cfg" --db "$T/opt.db" import invoices "$T/i.csv" >/dev/null
"$MILTER" -c "$cfg" -f -p "unix:$T/opt.sock" --db "$T/opt.db" -o "store.path=$T/dbdir" \
    2>"$T/opt.log" &
mpid=$!
wait_for "$T/opt.sock"
send_one "unix:$T/opt.sock" ar@collect.example.com db-wins
check "--db wins over -o store.path, as in ardentctl" \
    test "$(sqlite3 "$T/opt.db" "SELECT count(*) FROM messages WHERE direction='in'")" = 1
stop $mpid; wait $mpid 2>/dev/null

# --- -p is checked as milter.socket is, with -n too.
mkdir -p "$T/cwd"
expect_rc 2 "-n -p garbage is bad usage" "$MILTER" -c "$cfg" -n -p garbage
check "... and says what a socket looks like" grep -q 'expected inet:PORT@HOST or unix:/path' "$T/err"
(cd "$T/cwd" && timeout 10 "$MILTER" -c "$cfg" -f -p garbage >"$T/out" 2>"$T/err"); rc=$?
check "-f -p garbage exits 2 (got $rc)" test "$rc" = 2
check "... and creates no socket named garbage" test ! -e "$T/cwd/garbage"
expect_rc 2 "-n -p unix: (no path) is bad usage" "$MILTER" -c "$cfg" -n -p unix:
expect_rc 2 "-n -o milter.socket=unix: (no path) is bad input" \
    "$MILTER" -c "$cfg" -n -o milter.socket=unix:
expect_rc 0 "-n -p unix:/path is valid" "$MILTER" -c "$cfg" -n -p "unix:$T/cwd/x.sock"
expect_rc 0 "-n -p inet:PORT@HOST is valid" "$MILTER" -c "$cfg" -n -p "inet:$(freeport)@127.0.0.1"

# --- a relative unix socket in the configuration lives in the file's folder
cfg5=$(models_conf "$T/cfg5" unix:sub/m.sock)
mkdir -p "$T/cfg5/sub" "$T/cwd5/sub"
(cd "$T/cwd5" && exec "$MILTER" -c "$cfg5" -f 2>"$T/m5.log") &
mpid=$!
wait_for "$T/cfg5/sub/m.sock"
check "milter.socket = unix:sub/m.sock listens in the configuration's folder" \
    test -S "$T/cfg5/sub/m.sock"
check "... not in the working directory" test ! -e "$T/cwd5/sub/m.sock"
stop $mpid; wait $mpid; rc=$?
check "... and stops cleanly (exit $rc)" test "$rc" = 0
# the same key given with -o is relative to the working directory
(cd "$T/cwd5" && exec "$MILTER" -c "$cfg5" -f -o milter.socket=unix:sub/o.sock 2>"$T/m5o.log") &
mpid=$!
wait_for "$T/cwd5/sub/o.sock"
check "-o milter.socket=unix:sub/o.sock listens in the working directory" test -S "$T/cwd5/sub/o.sock"
stop $mpid; wait $mpid 2>/dev/null

# --- detached: --db, -o and -p relative to where the milter was started,
# for the first connection and after a SIGUSR1 reload.
d="$T/d"; mkdir -p "$d" "$T/dc"
db=ardent-e2e-$$.db
(cd "$d" && "$CTL" -c "$cfg" --db "$db" import customers "$T/c.csv" >/dev/null &&
    "$CTL" -c "$cfg" --db "$db" import invoices "$T/i.csv" >/dev/null)
ln -s "$TOP/models" "$d/relmodels"
cfgd=$(models_conf "$T/dc" "inet:$(freeport)@127.0.0.1" "pid_file = m.pid")
# Detached, its stderr is gone: a sanitizer build reports to files instead.
(cd "$d" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:log_path=$T/asan" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}:log_path=$T/asan" \
    "$MILTER" -c "$cfgd" -p unix:m.sock --db "$db" -o classify.models=relmodels)
rc=$?
check "the milter detaches (exit $rc)" test "$rc" = 0
wait_for "$T/dc/m.pid"
wait_for "$d/m.sock"
mpid=$(cat "$T/dc/m.pid" 2>/dev/null || echo 0)
check "-p unix:m.sock listens in the starting directory" test -S "$d/m.sock"
inbound() { sqlite3 "$d/$db" "SELECT count(*) FROM messages WHERE direction='in'"; }
send_one "unix:$d/m.sock" ar@collect.example.com before-reload
check "--db $db: the reply is recorded in the starting directory's store" test "$(inbound)" = 1
check "... and no store is made in / instead" test ! -e "/$db"
# Visible change: the receivables address moves from ar@ to sales@.
sed -i 's/^receivables = .*/receivables = sales@collect.example.com/' "$cfgd"
kill -USR1 "$mpid"
for i in $(seq 1 30); do
    send_one "unix:$d/m.sock" sales@collect.example.com "after-reload-$i"
    [ "$(inbound)" = 2 ] && break
    sleep 0.3
done
check "after SIGUSR1 the reload found -o classify.models=relmodels and --db $db" \
    test "$(inbound)" = 2
check "... and still no store in /" test ! -e "/$db"
check "SIGTERM stops the detached milter" stop "$mpid"
check "... with no sanitizer report" bash -c "! ls '$T'/asan.* 2>/dev/null"
rm -f "/$db" "/m.sock"
done_testing
