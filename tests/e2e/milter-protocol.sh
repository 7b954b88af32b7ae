#!/bin/bash
# ardent-milter driven by miltertest (tests/milter/protocol.lua), without an
# MTA, under valgrind (ASan does that job in the sanitizer build): probes,
# aborts, several messages per connection, oversized bodies, added recipients,
# forged headers, and no leaks on any of those paths.
. "$(dirname "$0")/lib.sh"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$T/c.csv" <<CSV
customer_id,name,email,owner,segment
C1,One,pay@one.example,alice@collect.example.com,standard
CSV
cat >"$T/i.csv" <<CSV
invoice_id,customer_id,issue_date,due_date,amount,currency
INV-100,C1,2026-01-01,2026-01-31,100.00,EUR
CSV
cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[milter]
socket = inet:$port@127.0.0.1
receivables = ar@collect.example.com
collector_domains = collect.example.com
max_message_bytes = 2048
[agent]
token_secret = protocol-test-secret
from = ar@collect.example.com
default_owner = desk@collect.example.com
[classify]
models = $TOP/models
EOC
"$CTL" -c "$T/ardent.conf" import customers "$T/c.csv" >/dev/null
"$CTL" -c "$T/ardent.conf" import invoices "$T/i.csv" >/dev/null
# A real outbound message with a real token, as the agent records it.
token=$(python3 - "$T/ardent.db" <<'PY'
import sys, sqlite3, hmac, hashlib, base64
secret, cust, serial = b"protocol-test-secret", "C1", 1
mac = hmac.new(secret, f"{cust}\n{serial}".encode(), hashlib.sha256).digest()[:10]
tok = base64.b32encode(mac).decode().lower()
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO messages (direction, customer_id, message_id, token, serial, status, created_at)"
           " VALUES ('out', 'C1', ?, ?, 1, 'sent', '2026-02-01T00:00:00Z')",
           (f"ardent.{tok}@collect.example.com", tok))
db.commit()
print(tok)
PY
)

full=1

run=()
if [ "${ARDENT_SAN:-0}" != 1 ] && command -v valgrind >/dev/null; then
    run=(valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect
         --errors-for-leak-kinds=definite,indirect --error-exitcode=99
         --log-file="$T/valgrind.log")
fi
"${run[@]}" "$MILTER" -c "$T/ardent.conf" -f 2>"$T/milter.log" &
mpid=$!

if miltertest -D socket="inet:$port@127.0.0.1" -D token="$token" -D full=$full \
        -s "$TOP/tests/milter/protocol.lua" >"$T/mt.out" 2>&1; then
    ok "miltertest script ($(grep -c '^ok:' "$T/mt.out") checks)"
else
    notok "miltertest script"; sed 's/^/# /' "$T/mt.out" | tail -15; sed 's/^/# /' "$T/milter.log" | tail -5
fi
kill -TERM $mpid
wait $mpid; rc=$?
[ "$rc" = 0 ] || { echo "# milter exit $rc"; sed "s/^/# /" "$T/milter.log" | tail -8; }
expect_rc 0 "the milter stops cleanly on SIGTERM" test "$rc" = 0
if [ ${#run[@]} -gt 0 ]; then
    if [ -s "$T/valgrind.log" ]; then notok "valgrind: no leaks or errors"; sed 's/^/# /' "$T/valgrind.log" | head -30
    else ok "valgrind: no leaks or errors"; fi
else
    ok "leaks checked by ASan in this build"
fi
n=$(grep -c 'truncated=yes\|unchanged' "$T/milter.log")
check "one log line per message read (4)" test "$(grep -cE '(customer=|unchanged)' "$T/milter.log")" = 4
check "replies recorded exactly once" test "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM messages WHERE direction='in'")" = 4
: "$n"
done_testing
