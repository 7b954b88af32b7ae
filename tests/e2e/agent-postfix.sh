#!/bin/bash
# ardent-agent through a real Postfix on loopback: two runs a week apart,
# read back from the Maildirs as a mail client would (python3's email
# package): headers, threading, both parts, RFC 2047, a hostile customer name.
# Also: a relay that is down leaves the messages to retry.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix.sh"
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
    ok "# SKIP needs root and postfix"; done_testing; exit 0
fi
trap 'pf_stop; rm -rf "$T"' EXIT
port=$((20000 + RANDOM % 20000))
pf_start "$T/pf" "$port" ap@zoe.example billing@plain.example ops@evil.example victim@example.com ap@queued.example ||
    { notok "postfix starts"; done_testing; exit 0; }
cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
[agent]
from = ar@example.com
from_name = Ärdent Receivables
token_secret = postfix-secret
relay = 127.0.0.1:$port
templates = $TOP/conf/templates
max_data_age_hours = 0
bank_accounts = EUR=IBAN DE89 3704 0044 0532 0130 00;GBP=Sort code 20-00-00, account 55779911
EOC
C="$T/ardent.conf"
cat >"$T/customers.csv" <<'EOC'
customer_id,name,email,locale
Z1,"O'Brien, Zoë ""The Boss"" & Søn Ltd",ap@zoe.example,de
P1,Plain Trading,billing@plain.example,en
X1,Evil Corp,ops@evil.example,fr
EOC
cat >"$T/invoices.csv" <<'EOC'
invoice_id,customer_id,issue_date,due_date,amount,currency
Z-1,Z1,2026-01-01,2026-03-01,1234.50,EUR
P-1,P1,2026-01-01,2026-03-01,99.00,GBP
X-1,X1,2026-01-01,2026-03-01,10.00,EUR
EOC
"$CTL" -c "$C" import customers "$T/customers.csv" >"$T/imp" 2>&1 || cat "$T/imp" | sed 's/^/# /'
"$CTL" -c "$C" import invoices "$T/invoices.csv" >/dev/null
# The importer refuses control characters in names; a store written by
# anything else might still hold them, so put CR/LF there directly.
sqlite3 "$T/ardent.db" "UPDATE customers SET name = 'Evil Corp' || char(13,10) || 'Bcc: victim@example.com' WHERE id = 'X1'"
expect_rc 0 "first run hands three messages to the relay" "$AGENT" -c "$C" --date 2026-03-03 run
check "postfix delivered them" pf_wait_delivered 3 60
check "one SMTP connection carried all three messages" grep -q 'disconnect from .* mail=3 rcpt=3 data=3' "$T/pf/maillog"
expect_rc 0 "a week later, the second run" "$AGENT" -c "$C" --date 2026-03-10 run
check "postfix delivered the follow-ups" pf_wait_delivered 6 60

python3 - "$T/pf/mail" "$T/ardent.db" <<'PY' >"$T/verdicts"
import sys, os, email, email.policy, sqlite3, hmac, hashlib, base64, re
base, dbp = sys.argv[1], sys.argv[2]
def check(desc, cond, info=""):
    print(("PASS " if cond else "FAIL ") + desc + ("" if cond else f"  [{info}]"))
def box(addr):
    d = os.path.join(base, addr.replace("@", "_"), "new")
    msgs = [email.message_from_binary_file(open(os.path.join(d, f), "rb"), policy=email.policy.default)
            for f in sorted(os.listdir(d))] if os.path.isdir(d) else []
    return sorted(msgs, key=lambda m: m["Date"].datetime)
z = box("ap@zoe.example")
check("Zoë's account got two messages", len(z) == 2, len(z))
if len(z) < 2:
    sys.exit(0)
first, second = z[0], z[1]
check("display name with quotes, comma and non-ASCII letters decodes intact",
      first["To"].addresses[0].display_name == 'O\'Brien, Zoë "The Boss" & Søn Ltd', first["To"])
raw = open(os.path.join(base, "ap_zoe.example", "new", sorted(os.listdir(os.path.join(base, "ap_zoe.example", "new")))[0]), "rb").read()
from_raw = [l for l in raw.split(b"\n") if l.startswith(b"From:")][0]
check("From name is RFC 2047-encoded on the wire and decodes",
      b"=?" in from_raw and first["From"].addresses[0].display_name == "Ärdent Receivables", from_raw)
check("headers on the wire are 7-bit (RFC 2047)", all(b < 128 for b in raw.split(b"\n\n")[0]))
check("Auto-Submitted: auto-generated", first["Auto-Submitted"] == "auto-generated")
m = re.fullmatch(r"ar\+([a-z2-7]{16})@example\.com", first["Reply-To"].addresses[0].addr_spec)
check("Reply-To is ar+TOKEN@example.com", m is not None, first["Reply-To"])
tok = m.group(1) if m else ""
check("Message-ID carries the same token", tok and tok in first["Message-ID"], first["Message-ID"])
db = sqlite3.connect(dbp)
row = db.execute("select token, serial from messages where direction='out' and customer_id='Z1' order by id").fetchone()
want = base64.b32encode(hmac.new(b"postfix-secret", f"Z1\n{row[1]}".encode(), hashlib.sha256).digest()[:10]).decode().lower()
check("the token is HMAC-SHA256(secret, customer \\n serial), stored on the row", row[0] == tok == want, (row, tok, want))
check("second message threads on the first (In-Reply-To)", second["In-Reply-To"] == first["Message-ID"], (second["In-Reply-To"], first["Message-ID"]))
check("References carry the first message", first["Message-ID"] in (second["References"] or ""))
check("first message starts the thread", first["In-Reply-To"] is None)
parts = [p.get_content_type() for p in first.walk()]
check("multipart/alternative with text and HTML parts", parts == ["multipart/alternative", "text/plain", "text/html"], parts)
text = first.get_body(("plain",)).get_content()
html = first.get_body(("html",)).get_content()
check("German wording and German number format", "1.234,50 EUR" in text and "Zahlungserinnerung" in first["Subject"], (first["Subject"], text[:300]))
check("the HTML part escapes the customer's name", "O&#39;Brien, Zoë &quot;The Boss&quot; &amp; Søn Ltd" in html)
check("a EUR message shows the EUR account only", "DE89" in text and "20-00-00" not in text)
p = box("billing@plain.example")
pt = p[0].get_body(("plain",)).get_content() if p else ""
check("a GBP message shows the GBP account only", "20-00-00" in pt and "DE89" not in pt)
check("tone rises: second subject differs from the first", first["Subject"] != second["Subject"])
x = box("ops@evil.example")
check("CR/LF in a customer name creates no header", len(x) == 2 and all(h.lower() != "bcc" for h in x[0].keys()), [list(m.keys()) for m in x])
check("and nothing reached the injected address", not os.path.isdir(os.path.join(base, "victim_example.com")))
PY
while read -r verdict desc; do
    if [ "$verdict" = PASS ]; then ok "$desc"; else notok "$desc"; fi
done <"$T/verdicts"
[ -s "$T/verdicts" ] || notok "mail checks ran"

# A relay that is down: the run says so (exit 1), nothing is marked sent,
# and the next run on the same date delivers.
"$CTL" -c "$C" import customers <(printf 'customer_id,name,email\nR1,Retry Ltd,billing@plain.example\n') >/dev/null
"$CTL" -c "$C" import invoices <(printf 'invoice_id,customer_id,issue_date,due_date,amount,currency\nR-1,R1,2026-01-01,2026-03-01,5.00,EUR\n') >/dev/null
dead=$((port + 1))
expect_rc 1 "a run against a relay that is down fails" "$AGENT" -c "$C" -o agent.relay=127.0.0.1:$dead --date 2026-03-17 --customer R1 run
check "and shows the failure" grep -q "not delivered" "$T/err"
st=$(sqlite3 "$T/ardent.db" "select status from messages where customer_id='R1'")
check "the message is recorded as failed (got $st)" [ "$st" = failed ]
expect_rc 0 "the next run retries and delivers" "$AGENT" -c "$C" --date 2026-03-17 --customer R1 run
st=$(sqlite3 "$T/ardent.db" "select status from messages where customer_id='R1'")
check "now sent (got $st)" [ "$st" = sent ]

# At most once over SMTP: a message left 'queued' by a run killed during the
# hand-over is never sent again, only recorded.
"$CTL" -c "$C" import customers <(printf 'customer_id,name,email\nQ1,Queued Ltd,ap@queued.example\n') >/dev/null
"$CTL" -c "$C" import invoices <(printf 'invoice_id,customer_id,issue_date,due_date,amount,currency\nQ-1,Q1,2026-01-01,2026-03-01,5.00,EUR\n') >/dev/null
sqlite3 "$T/ardent.db" "INSERT INTO messages (direction, customer_id, message_id, token, serial, run_date, stage, status, created_at)
  VALUES ('out','Q1','ardent.interrupted@example.com','interruptedtoken',1,'2026-03-17','reminder','queued','2026-03-17T02:00:00Z')"
expect_rc 0 "the run after an interrupted hand-over" "$AGENT" -c "$C" --date 2026-03-17 --customer Q1 run
st=$(sqlite3 "$T/ardent.db" "select count(*), group_concat(status) from messages where customer_id='Q1'")
check "no second message row, the queued one is recorded as sent (got $st)" [ "$st" = "1|sent" ]
check "the run says it finished it without sending" grep -q "0 sent, 1 finished from an interrupted run" "$T/err"
check "and nothing more reached the customer" [ ! -d "$(pf_maildir ap@queued.example)/new" ] || [ -z "$(ls "$(pf_maildir ap@queued.example)/new")" ]
done_testing
