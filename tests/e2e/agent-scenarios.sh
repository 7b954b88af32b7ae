#!/bin/bash
# ardent-agent day by day over nine simulated weeks on a real store: every
# behaviour rule of the contract, one customer per rule, messages written to a
# real Maildir. Replies, promises, disputes and out-of-office holds are
# written with the sqlite3 CLI as a stand-in for the milter (the rows
# lib/apply will write) until `ardentctl ingest` lands.
. "$(dirname "$0")/lib.sh"
[ -n "${KEEP:-}" ] && trap - EXIT && echo "# keeping $T"

d() { date -u -d "2026-03-02 + $1 days" +%F; }   # day N of the scenario (D0 is a Monday)
cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[agent]
from = ar@example.com
token_secret = scenario-secret
default_owner = collections@example.com
templates = $TOP/conf/templates
max_data_age_hours = 0
bank_accounts = EUR=IBAN DE89 3704 0044 0532 0130 00;GBP=Sort code 20-00-00, account 55779911
[policy]
small_stages = 1;20;30;40;50
[calendar]
business_days_only = false
EOC
C="$T/ardent.conf"
q() { sqlite3 "$T/ardent.db" "$@"; }

cat >"$T/customers.csv" <<EOC
customer_id,name,email,owner,segment,human_only
A,Alpha GmbH,ap@alpha.example,jane.doe@example.com,standard,0
B,Beta Ltd,ap@beta.example,,standard,1
C,Gamma SA,ap@gamma.example,,standard,0
D,Delta BV,ap@delta.example,sam@example.com,small,0
E,Epsilon Oy,ap@epsilon.example,,standard,0
F,Phi Inc,ap@phi.example,,standard,0
G,Gimel AG,ap@gimel.example,,standard,0
H,Eta Corp,ap@eta.example,jane.doe@example.com,standard,0
I,Iota SpA,ap@iota.example,,standard,0
J,Kappa Srl,ap@kappa.example,,standard,0
K,Lambda AB,ap@lambda.example,,standard,0
L,Mu plc,ap@mu.example,,standard,0
M,Nu KG,ap@nu.example,,standard,0
EOC
cat >"$T/invoices.csv" <<EOC
invoice_id,customer_id,issue_date,due_date,amount,currency
A-1,A,$(d -40),$(d 0),1000.00,EUR
A-2,A,$(d -45),$(d -5),1000.00,EUR
A-3,A,$(d -10),$(d 20),500.00,EUR
B-1,B,$(d -40),$(d -3),800.00,EUR
C-1,C,$(d -40),$(d -3),800.00,EUR
C-2,C,$(d -40),$(d -2),200.00,EUR
D-1,D,$(d -30),$(d -1),300.00,EUR
E-1,E,$(d -40),$(d -10),300.00,EUR
E-CN,E,$(d -20),$(d -10),-300.00,EUR
F-1,F,$(d -20),$(d 10),700.00,EUR
G-1,G,$(d -30),$(d -1),900.00,EUR
H-1,H,$(d -30),$(d -1),1200.00,EUR
I-1,I,$(d -30),$(d -1),400.00,EUR
J-1,J,$(d -30),$(d -3),5000.00,EUR
J-2,J,$(d -30),$(d -2),100.00,EUR
K-1,K,$(d -30),$(d -1),250.00,EUR
L-1,L,$(d -30),$(d -1),650.00,EUR
M-1,M,$(d -120),$(d -90),100.00,EUR
M-2,M,$(d -90),$(d -60),100.00,EUR
M-3,M,$(d -60),$(d -30),100.00,EUR
M-4,M,$(d -30),$(d -1),100.00,EUR
EOC
# M has always paid on time: its message acknowledges that.
cat >"$T/payments.csv" <<EOC
payment_id,customer_id,invoice_id,date,amount,currency
P-M1,M,M-1,$(d -90),100.00,EUR
P-M2,M,M-2,$(d -59),100.00,EUR
P-M3,M,M-3,$(d -30),100.00,EUR
EOC
"$CTL" -c "$C" --date "$(d -1)" import customers "$T/customers.csv" >/dev/null
"$CTL" -c "$C" --date "$(d -1)" import invoices "$T/invoices.csv" >/dev/null
"$CTL" -c "$C" --date "$(d -1)" import payments "$T/payments.csv" >/dev/null
# Disputes on all of C's invoices and on J's larger one; an open escalation on I.
q "INSERT INTO disputes (customer_id, invoice_id, status, opened_at) VALUES
   ('C','C-1','open','$(d -1)T09:00:00Z'), ('C','C-2','open','$(d -1)T09:00:00Z'),
   ('J','J-1','open','$(d -1)T09:00:00Z');
   INSERT INTO escalations (customer_id, kind, reason, owner, status, created_at)
   VALUES ('I','escalation','dispute by phone','collections@example.com','open','$(d -1)T09:00:00Z');"

MD="$T/md"
reply() {  # customer day: a matched, non-automatic reply (what the milter records)
    q "INSERT INTO messages (direction, customer_id, intent, match, status, created_at)
       VALUES ('in','$1','other','token','received','$2T10:00:00Z');
       UPDATE dunning SET last_reply = '$2T10:00:00Z', unanswered = 0 WHERE customer_id = '$1';"
}
second_run_quiet=1
runs_ok=1
for n in $(seq 0 62); do
    day=$(d "$n")
    case $n in
    1)  # D promises to pay on day 5; L promises on day 4 for L-1
        q "INSERT INTO promises (customer_id, promised_date, status, created_at)
           VALUES ('D','$(d 5)','open','${day}T10:00:00Z');
           INSERT INTO promises (customer_id, promised_date, invoices, status, created_at)
           VALUES ('L','$(d 4)','L-1','open','${day}T10:00:00Z');" ;;
    3)  # G's out-of-office names a return date (day 12); K and L pay in full
        q "UPDATE dunning SET hold_until = '$(d 12)', hold_reason = 'out of office' WHERE customer_id = 'G';"
        printf 'P-K,K,K-1,%s,250.00,EUR\nP-L,L,L-1,%s,650.00,EUR\n' "$day" "$day" >>"$T/payments.csv"
        "$CTL" -c "$C" --date "$day" import payments "$T/payments.csv" >/dev/null ;;
    esac
    # A answers every message the day after it arrives.
    if [ -n "$(grep -l '"customer":"A"' "$T/run-$(d $((n - 1))).json" 2>/dev/null | xargs -r grep -h '"customer":"A"' | grep message_id)" ]; then
        reply A "$day"
    fi
    "$AGENT" -c "$C" --date "$day" plan >"$T/plan-$day.json" 2>>"$T/agent.err" || runs_ok=0
    "$AGENT" -c "$C" --date "$day" run --maildir "$MD" >"$T/run-$day.json" 2>>"$T/agent.err" || runs_ok=0
    before=$(ls "$MD/new" | wc -l)
    "$AGENT" -c "$C" --date "$day" run --maildir "$MD" >"$T/rerun-$day.json" 2>>"$T/agent.err" || runs_ok=0
    after=$(ls "$MD/new" | wc -l)
    if [ "$before" != "$after" ] || grep -q message_id "$T/rerun-$day.json"; then second_run_quiet=0; fi
done
check "every plan and run exited 0 (sanitizers included)" [ "$runs_ok" = 1 ]
check "a second run on the same date sends nothing (63 dates)" [ "$second_run_quiet" = 1 ]
check "plan and run print the same decisions" \
    bash -c "diff <(sed 's/,\"message_id\":\"[^\"]*\"//' '$T/run-$(d 0).json') '$T/plan-$(d 0).json' >/dev/null"

python3 - "$T" "$MD" <<'PY' >"$T/verdicts"
import json, sys, os, glob, email, sqlite3, datetime
T, MD = sys.argv[1], sys.argv[2]
D0 = datetime.date(2026, 3, 2)
day = lambda n: (D0 + datetime.timedelta(days=n)).isoformat()
runs, plans = {}, {}
for n in range(63):
    runs[n] = {r["customer"]: r for r in map(json.loads, open(f"{T}/run-{day(n)}.json"))}
    plans[n] = {r["customer"]: r for r in map(json.loads, open(f"{T}/plan-{day(n)}.json"))}
def sends(c):
    return [(n, runs[n][c]["stage"]) for n in range(63) if c in runs[n] and "message_id" in runs[n][c]]
def actions(c):
    return [(n, runs[n][c]["action"]) for n in range(63) if c in runs[n]]
def check(desc, cond, info=""):
    print(("PASS " if cond else "FAIL ") + desc + ("" if cond else f"  [{info}]"))
db = sqlite3.connect(f"{T}/ardent.db")

s = sends("A")
check("A: stage one step at a time, at least 7 days apart, catching up to the thresholds",
      s == [(0, "reminder"), (7, "follow_up"), (14, "firm"), (25, "final_notice")], s)
check("A: tie on amount goes to the oldest due date (A-2)",
      all(runs[n]["A"]["lead_invoice"] == "A-2" for n, _ in s), [runs[n]["A"]["lead_invoice"] for n, _ in s])
check("A: not-yet-due A-1/A-3 never listed before their due date",
      runs[0]["A"]["invoices"] == ["A-2"] and "A-3" not in runs[14]["A"]["invoices"]
      and "A-3" in runs[25]["A"]["invoices"], [runs[n]["A"]["invoices"] for n in (0, 14, 25)])
check("A: collector stage escalates to the owner on day 40, then holds",
      runs[40]["A"]["action"] == "escalate" and runs[41]["A"]["action"] == "hold",
      (runs[40]["A"], runs[41]["A"]["reason"]))
esc = db.execute("select owner, reason, due from escalations where customer_id='A' and status='open'").fetchall()
check("A: escalation owned by A's owner with a due time", len(esc) == 1 and esc[0][0] == "jane.doe@example.com" and esc[0][2], esc)
check("A: stage is collector", db.execute("select stage from dunning where customer_id='A'").fetchone()[0] == "collector")

check("B: human_only gets no mail, held", sends("B") == [] and all(a == "hold" for _, a in actions("B")), actions("B")[:3])
check("C: all overdue disputed: no mail, held", sends("C") == [] and all(a == "hold" for _, a in actions("C")))
s = sends("D")
check("D: promise holds until date plus grace, broken promise resumes one stage up (follow_up at 10 days late)",
      s[:2] == [(0, "reminder"), (9, "follow_up")] and all(runs[n]["D"]["action"] == "hold" for n in range(1, 9)), s)
check("D: hold reason names the promise and the grace",
      runs[2]["D"]["reason"] == f"hold: promise to pay {day(5)}, grace until {day(8)}", runs[2]["D"]["reason"])
check("D: the promise is marked broken, with an event",
      db.execute("select status from promises where customer_id='D'").fetchone()[0] == "broken" and
      db.execute("select count(*) from events where customer_id='D' and kind='promise_broken' and cause='agent'").fetchone()[0] == 1)
check("E: net balance zero (credit note): no dunning, no line", sends("E") == [] and all("E" not in plans[n] and "E" not in runs[n] for n in range(63)))
s = sends("F")
check("F: not yet due is never demanded; reminder the day after due",
      s and s[0] == (11, "reminder") and all(plans[n]["F"]["invoices"] == [] for n in range(0, 11)), s)
s = sends("G")
check("G: out-of-office return date postpones mail until that date",
      s[:2] == [(0, "reminder"), (12, "follow_up")] and runs[8]["G"]["action"] == "hold"
      and "out of office" in runs[8]["G"]["reason"], (s, runs[8]["G"]))
s = sends("H")
check("H: three messages unanswered, then escalation (not a fourth message)",
      s == [(0, "reminder"), (7, "follow_up"), (14, "firm")] and runs[21]["H"]["action"] == "escalate", (s, runs[21]["H"]))
check("H: held while the escalation is open", all(runs[n]["H"]["action"] == "hold" for n in range(22, 63)))
check("I: open escalation holds all mail", sends("I") == [] and all(a == "hold" for _, a in actions("I")))
check("J: lead skips the disputed invoice; message lists both",
      runs[0]["J"]["lead_invoice"] == "J-2" and runs[0]["J"]["invoices"] == ["J-1", "J-2"], runs[0]["J"])
check("K: paid in full: stage reset, no more mail, no line",
      sends("K") == [(0, "reminder")] and "K" not in runs[5] and
      db.execute("select stage from dunning where customer_id='K'").fetchone()[0] is None)
check("L: promise kept when its invoice is paid",
      db.execute("select status from promises where customer_id='L'").fetchone()[0] == "kept" and sends("L") == [(0, "reminder")])

# One message per customer per date, each listing all the customer's overdue invoices.
per = {}
for f in glob.glob(f"{MD}/new/*"):
    m = email.message_from_binary_file(open(f, "rb"))
    per.setdefault((m["To"], m["Date"][:16]), []).append(f)
check("never two messages to one customer on one date", all(len(v) == 1 for v in per.values()), [v for v in per.values() if len(v) > 1][:2])
msgs = {}
for f in glob.glob(f"{MD}/new/*"):
    m = email.message_from_binary_file(open(f, "rb"))
    msgs.setdefault(m["Message-Id"].strip("<>"), m)
def text_of(m):
    for p in m.walk():
        if p.get_content_type() == "text/plain":
            return p.get_payload(decode=True).decode()
j = msgs[runs[0]["J"]["message_id"]]
t = text_of(j)
check("J: the disputed invoice is shown under review, not demanded",
      "Invoice J-1: 5,000.00 EUR, under review" in t and "Total overdue: 100.00 EUR" in t and "5,000.00 EUR, due" not in t, t)
check("M: a good payment history is acknowledged; A's message says nothing of it",
      "unusual for your account" in text_of(msgs[runs[0]["M"]["message_id"]]) and
      "unusual for your account" not in text_of(msgs[runs[0]["A"]["message_id"]]))
a = text_of(msgs[runs[25]["A"]["message_id"]])
check("A final notice lists every overdue invoice", all(x in a for x in ("A-1", "A-2", "A-3")) and "Final notice" in msgs[runs[25]["A"]["message_id"]]["Subject"])
ev = db.execute("select count(*) from events where cause='agent' and kind='message_sent'").fetchone()[0]
out = db.execute("select count(*) from messages where direction='out' and status='sent'").fetchone()[0]
check("every message sent is in the event log", ev == out == len(glob.glob(f"{MD}/new/*")), (ev, out))
check("stage changes are in the event log",
      db.execute("select count(*) from events where customer_id='A' and kind='stage'").fetchone()[0] >= 5)
PY
while read -r verdict desc; do
    if [ "$verdict" = PASS ]; then ok "$desc"; else notok "$desc"; fi
done <"$T/verdicts"
[ -s "$T/verdicts" ] || notok "scenario checks ran"

# Weekends: with the default calendar nothing goes out on a Saturday.
"$AGENT" -c "$C" -o calendar.business_days_only=true --date 2026-05-09 --customer F plan >"$T/sat.json"
check "a Saturday is not a business day" json "$T/sat.json" '"not a business day" in r["reason"] or r["action"] != "send"'
# Fresh data or no mail.
expect_rc 1 "run refuses stale payments data" "$AGENT" -c "$C" -o agent.max_data_age_hours=36 --date "$(d 70)" run --maildir "$MD"
check "and says why" grep -q "stale data" "$T/err"
expect_rc 1 "run refuses an empty token secret" "$AGENT" -c "$C" -o agent.token_secret= --date "$(d 70)" run --maildir "$MD"
check "with a clear message" grep -q "token_secret" "$T/err"
done_testing
