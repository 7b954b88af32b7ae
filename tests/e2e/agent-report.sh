#!/bin/bash
# report and digest on a small store whose figures are known by hand.
. "$(dirname "$0")/lib.sh"
cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[agent]
from = ar@example.com
token_secret = report-secret
default_owner = team@example.com
templates = $TOP/conf/templates
max_data_age_hours = 0
EOC
C="$T/ardent.conf"
q() { sqlite3 "$T/ardent.db" "$@"; }
cat >"$T/customers.csv" <<'EOC'
customer_id,name,email,owner
R1,Red Ltd,ap@red.example,ann@example.com
R2,"Green, ""Big"" & Co",ap@green.example,ann@example.com
R3,Blue SA,ap@blue.example,
EOC
# Today is 2026-06-30. Ages: R1-1 current, R1-2 10 days (1-30), R2-1 45 days
# (31-60, disputed), R2-2 75 days (61-90, promised), R3-1 120 days (90+).
cat >"$T/invoices.csv" <<'EOC'
invoice_id,customer_id,issue_date,due_date,amount,currency
R1-1,R1,2026-06-10,2026-07-10,100.00,EUR
R1-2,R1,2026-05-20,2026-06-20,200.00,EUR
R1-3,R1,2026-05-01,2026-05-31,50.00,EUR
R2-1,R2,2026-04-16,2026-05-16,300.00,EUR
R2-2,R2,2026-03-17,2026-04-16,400.00,EUR
R3-1,R3,2026-02-01,2026-03-02,500.00,EUR
EOC
cat >"$T/payments.csv" <<'EOC'
payment_id,customer_id,invoice_id,date,amount,currency
P1,R1,R1-3,2026-06-27,50.00,EUR
P2,R3,,2026-06-10,20.00,EUR
EOC
"$CTL" -c "$C" import customers "$T/customers.csv" >/dev/null
"$CTL" -c "$C" import invoices "$T/invoices.csv" >/dev/null
"$CTL" -c "$C" import payments "$T/payments.csv" >/dev/null
# Reply-side rows (what the milter writes): a dispute, a promise, an escalation.
q "INSERT INTO disputes (customer_id, invoice_id, status, opened_at) VALUES ('R2','R2-1','open','2026-06-01T10:00:00Z');
   INSERT INTO promises (customer_id, promised_date, invoices, status, created_at) VALUES ('R2','2026-07-15','R2-2','open','2026-06-25T10:00:00Z');
   INSERT INTO escalations (customer_id, kind, reason, owner, due, status, created_at) VALUES ('R3','escalation','negative reply',NULL,'2026-06-20T10:00:00Z','open','2026-06-17T10:00:00Z');
   INSERT INTO promises (customer_id, promised_date, status, created_at, resolved_at) VALUES ('R1','2026-06-20','broken','2026-06-10T10:00:00Z','2026-06-29T02:00:00Z');"
# R3's contact answered on 2026-06-17: the milter recorded the reply and set
# dunning.last_reply to its day, as it does for contact- and token-matched replies.
q "INSERT INTO messages (direction, customer_id, message_id, subject, sender, match, status, created_at)
     VALUES ('in','R3','r3@blue.example','Re: reminder','ap@blue.example','contact','applied','2026-06-17T09:00:00Z');
   INSERT INTO dunning (customer_id, unanswered, last_reply) VALUES ('R3', 0, '2026-06-17');"

expect_rc 0 "report --format json" "$AGENT" -c "$C" --date 2026-06-30 report --format json
cp "$T/out" "$T/report.json"
python3 - "$T/report.json" <<'PY' >"$T/verdicts"
import json, sys
r = json.load(open(sys.argv[1]))
t = [x for x in r["total"] if x["currency"] == "EUR"][0]
def check(d, c, info=""): print(("PASS " if c else "FAIL ") + d + ("" if c else f"  [{info}]"))
check("ageing buckets", t["ageing"] == {"current": "100.00", "1-30": "200.00", "31-60": "300.00", "61-90": "400.00", "90+": "480.00"}, t["ageing"])
check("open total nets unapplied payments", t["open"] == "1480.00", t["open"])
check("disputed, promised and escalated amounts", (t["disputed"], t["promised"], t["escalated"]) == ("300.00", "400.00", "480.00"), t)
check("momentum: paid in the last 7 and 30 days", t["momentum"]["paid_7"] == "50.00" and t["momentum"]["paid_30"] == "70.00", t["momentum"])
check("DSO with its formula (1480 open / 650 billed in 90 days x 90)", t["billed_90"] == "650.00" and t["dso_days"] == 204.9 and "90" in r["dso_formula"], (t["dso_days"], t["billed_90"]))
owners = {x["owner"]: x for x in r["owners"]}
check("per owner, accounts without one under the default owner",
      set(owners) == {"ann@example.com", "team@example.com"} and owners["team@example.com"]["open"] == "480.00", list(owners))
PY
while read -r v d; do if [ "$v" = PASS ]; then ok "$d"; else notok "$d"; fi; done <"$T/verdicts"
expect_rc 0 "report --format csv" "$AGENT" -c "$C" --date 2026-06-30 report --format csv
check "csv has a header and a total row" grep -q '^2026-06-30,EUR,TOTAL,3,100.00,200.00,300.00,400.00,480.00,1480.00' "$T/out"
expect_rc 0 "report --format html" "$AGENT" -c "$C" --date 2026-06-30 report --format html
check "html draws SVG charts" grep -q '<svg' "$T/out"
check "html loads nothing from outside" bash -c "! grep -Eiq '(src|href)=|<script|@import|url\\(' '$T/out'"
expect_rc 0 "report (text)" "$AGENT" -c "$C" --date 2026-06-30 report
check "text names the DSO formula" grep -q "DSO = open receivables" "$T/out"
expect_rc 2 "an unknown format is bad usage" "$AGENT" -c "$C" --date 2026-06-30 report --format pdf

expect_rc 0 "digest --maildir" "$AGENT" -c "$C" --date 2026-06-30 digest --maildir "$T/dg"
cp "$T/out" "$T/digest.json"
check "one digest per collector" json "$T/digest.json" 'sorted(x["owner"] for x in rows) == ["ann@example.com", "team@example.com"]'
check "two messages in the Maildir" [ "$(ls "$T/dg/new" | wc -l)" = 2 ]
python3 - "$T/dg/new" <<'PY' >"$T/verdicts"
import email, email.policy, os, sys
d = sys.argv[1]
ms = {m["To"].addresses[0].addr_spec: m for m in
      (email.message_from_binary_file(open(os.path.join(d, f), "rb"), policy=email.policy.default) for f in os.listdir(d))}
def check(desc, c, info=""): print(("PASS " if c else "FAIL ") + desc + ("" if c else f"  [{info}]"))
team = ms["team@example.com"].get_body(("plain",)).get_content()
check("the team digest shows an overdue escalation with balance, lead invoice and why",
      "[OVERDUE] Blue SA (R3)" in team and "balance: 480.00 EUR" in team and "lead invoice: R3-1" in team and "negative reply" in team, team)
check("the digest shows the last reply of a contact-matched answer",
      "last reply: 2026-06-17T09:00:00Z" in team, team.replace("\n", " | "))
ann = ms["ann@example.com"].get_body(("plain",)).get_content()
check("a broken promise is at the top of its owner's digest", ann.find("1. [BROKEN PROMISE] Red Ltd (R1)") > 0, ann)
PY
while read -r v d; do if [ "$v" = PASS ]; then ok "$d"; else notok "$d"; fi; done <"$T/verdicts"

# The account view shows segment and risk with their inputs.
"$CTL" -c "$C" --date 2026-06-30 account R1 --json >"$T/acct.json"
check "account shows the computed segment and its inputs" json "$T/acct.json" \
    'r["segment"] == "small" and r["segment_source"] == "computed" and r["segment_inputs"]["open_balance"] == 300.0'
check "account shows the risk score and its inputs (one broken promise)" json "$T/acct.json" \
    'r["risk"]["broken_promises"] == 1 and r["risk"]["paid_invoices"] == 1 and r["risk"]["score"] >= 15 and not r["risk"]["good_history"]'
# Stray words are bad usage, not ignored: "plan 2026-03-09" would otherwise
# plan for the real date. An unknown --customer is bad input, not an empty plan.
for cmd in "plan 2026-07-01" "run R1 --maildir $T/stray" "report extra" "digest extra --maildir $T/stray"; do
    set -- $cmd
    expect_rc 2 "$1 refuses a stray argument" "$AGENT" -c "$C" --date 2026-06-30 $cmd
    check "$1 says it takes no arguments" grep -q "$1 takes no arguments (got '$2')" "$T/err"
done
check "a stray date is pointed to --date" bash -c "'$AGENT' -c '$C' plan 2026-07-01 2>&1 | grep -q 'a date goes in --date'"
check "nothing was sent for a stray argument" [ ! -e "$T/stray" ]
expect_rc 2 "plan --customer with an unknown ID" "$AGENT" -c "$C" --date 2026-06-30 plan --customer NOPE
check "says there is no such customer" grep -q "no customer 'NOPE'" "$T/err"
expect_rc 2 "run --customer with an unknown ID" "$AGENT" -c "$C" --date 2026-06-30 run --customer NOPE --maildir "$T/nope"
check "and records nothing" [ "$(q "SELECT count(*) FROM messages WHERE direction = 'out'")" = 0 ]
expect_rc 2 "an empty --customer is refused, not taken as everyone" "$AGENT" -c "$C" --date 2026-06-30 run --customer= --maildir "$T/nope"
check "still nothing recorded" [ "$(q "SELECT count(*) FROM messages WHERE direction = 'out'")" = 0 ]
expect_rc 0 "plan --customer with a known ID" "$AGENT" -c "$C" --date 2026-06-30 plan --customer R1
check "plans that customer only" json "$T/out" 'len(rows) == 1 and r["customer"] == "R1"'
done_testing
