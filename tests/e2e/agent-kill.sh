#!/bin/bash
# A run killed with SIGKILL halfway through 1,000 messages, then run again:
# every customer gets exactly one message for the date, none gets two.
. "$(dirname "$0")/lib.sh"
cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[agent]
from = ar@example.com
token_secret = kill-secret
templates = $TOP/conf/templates
max_data_age_hours = 0
EOC
C="$T/ardent.conf"
N=1000
python3 - "$T" "$N" <<'PY'
import sys
T, n = sys.argv[1], int(sys.argv[2])
with open(f"{T}/customers.csv", "w") as f:
    f.write("customer_id,name,email\n")
    for i in range(n):
        f.write(f"K{i:04d},Customer {i},ap{i}@k{i}.example\n")
with open(f"{T}/invoices.csv", "w") as f:
    f.write("invoice_id,customer_id,issue_date,due_date,amount,currency\n")
    for i in range(n):
        f.write(f"IK{i:04d},K{i:04d},2026-01-01,2026-02-01,{100 + i}.00,EUR\n")
PY
"$CTL" -c "$C" import customers "$T/customers.csv" >/dev/null
"$CTL" -c "$C" import invoices "$T/invoices.csv" >/dev/null
MD="$T/md"
"$AGENT" -c "$C" --date 2026-03-03 run --maildir "$MD" >"$T/run1.json" 2>"$T/run1.err" &
pid=$!
# Wait (without a clock) until about half are out, then kill it mid-flight.
while kill -0 "$pid" 2>/dev/null; do
    n=$(ls "$MD/new" 2>/dev/null | wc -l)
    [ "$n" -ge $((N / 2)) ] && break
done
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
first=$(ls "$MD/new" | wc -l)
check "the first run was killed part-way ($first of $N written)" [ "$first" -gt 0 ] && [ "$first" -lt "$N" ]
expect_rc 0 "the second run completes" "$AGENT" -c "$C" --date 2026-03-03 run --maildir "$MD"
cp "$T/out" "$T/run2.json"
"$AGENT" -c "$C" --date 2026-03-03 run --maildir "$MD" >"$T/run3.json" 2>/dev/null
python3 - "$MD" "$N" <<'PY' >"$T/verdicts"
import sys, os, email, collections
md, n = sys.argv[1], int(sys.argv[2])
count = collections.Counter()
for f in os.listdir(f"{md}/new"):
    m = email.message_from_binary_file(open(f"{md}/new/{f}", "rb"))
    count[m["To"]] += 1
print("PASS" if all(v == 1 for v in count.values()) else "FAIL", "no customer got two messages", max(count.values()))
print("PASS" if len(count) == n else "FAIL", "every customer got its message", len(count))
print("PASS" if not os.listdir(f"{md}/tmp") else "FAIL", "no partial files left in tmp/")
PY
while read -r verdict desc; do
    if [ "$verdict" = PASS ]; then ok "$desc"; else notok "$desc"; fi
done <"$T/verdicts"
sent=$(sqlite3 "$T/ardent.db" "select count(*) from messages where direction='out' and status='sent' and run_date='2026-03-03'")
check "the store records $N sent messages (got $sent)" [ "$sent" = "$N" ]
check "a third run sends nothing" bash -c "! grep -q message_id '$T/run3.json'"
done_testing
