#!/bin/bash
# Hostile input, end to end on a real store: forged and cross-customer
# replies, tokens that do not verify, SQL and template syntax in every ERP
# field and in reply headers, CR/LF smuggled in RFC 2047 words, a reply
# addressed to 10,000 recipients, and messages of 10,000 MIME parts or 100
# levels deep. Each case asserts the safe outcome, not merely "no crash".
# The milter half (CR/LF and 10,000 recipients through Postfix) needs root.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/postfix.sh"
trap 'pf_stop; [ -n "${mpid:-}" ] && kill $mpid 2>/dev/null; rm -rf "$T"' EXIT
mport=$(freeport)
milter_conf "$T/ardent.db" "$mport" hostile-secret "" \
    "templates = $TOP/conf/templates
max_data_age_hours = 0" >"$T/ardent.conf"
C="$T/ardent.conf"
q() { sqlite3 "$T/ardent.db" "$@"; }
integrity() { [ "$(q 'PRAGMA integrity_check; PRAGMA foreign_key_check;')" = ok ]; }
# eml FILE FROM TO MESSAGE-ID BODY [extra header lines]: a reply on disk
eml() {
    printf 'From: %s\r\nTo: %s\r\nSubject: Re: your invoices\r\nMessage-ID: <%s>\r\nDate: Tue, 10 Mar 2026 10:00:00 +0000\r\n%bMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n' \
        "$2" "$3" "$4" "${6:-}" "$5" >"$T/$1"
}
ingest() { "$CTL" -c "$C" --date 2026-03-10 ingest "$@"; }

# --- the accounts: A and B, and H whose every field is hostile -------------
# Ids may not hold ';' or ',' (the list separators), so H's id carries SQL
# quotes, comment markers, a template tag and markup instead.
HID="H'1 OR 1=1--{{x}}<i>"
HNAME="<script>alert(1)</script> {{lead_id}} {{{customer_name}}} {{#invoices}}LOOP{{/invoices}}{{^invoices}}EMPTY{{/invoices}} {{! gone}} Robert'); DROP TABLE customers;--"
HINV="I'1{{customer_name}}<b>x</b>"
HPO="PO'--{{#lead}}L{{/lead}}<img src=x>"
python3 - "$T" "$HID" "$HNAME" "$HINV" "$HPO" <<'PY'
import csv, sys
T, hid, hname, hinv, hpo = sys.argv[1:6]
with open(f"{T}/c.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["customer_id", "name", "email", "owner", "segment"])
    w.writerow(["A", "Alpha GmbH", "pay@alpha.example", "alice@collect.example.com", "standard"])
    w.writerow(["B", "Beta Ltd", "pay@beta.example", "bob@collect.example.com", "standard"])
    w.writerow([hid, hname, "ap@hostile.example", "", "standard"])
with open(f"{T}/i.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["invoice_id", "customer_id", "issue_date", "due_date", "amount", "currency", "po_number"])
    w.writerow(["A-1", "A", "2026-01-01", "2026-02-01", "100.00", "EUR", "PO-A"])
    w.writerow(["B-1", "B", "2026-01-01", "2026-02-01", "200.00", "EUR", "PO-B"])
    w.writerow([hinv, hid, "2026-01-01", "2026-02-01", "10.00", "EUR", hpo])
PY
expect_rc 0 "customers with SQL and template syntax in id and name import" "$CTL" -c "$C" import customers "$T/c.csv"
expect_rc 0 "invoices with SQL and template syntax in id, customer and PO import" "$CTL" -c "$C" import invoices "$T/i.csv"
check "the hostile name is stored byte for byte" [ "$(q "SELECT name FROM customers WHERE id = '${HID//\'/\'\'}'")" = "$HNAME" ]
check "the hostile PO number is stored byte for byte" [ "$(q "SELECT po_number FROM invoices WHERE customer_id = '${HID//\'/\'\'}'")" = "$HPO" ]
check "the tables are all there (3 customers, 3 invoices)" [ "$(q 'SELECT (SELECT count(*) FROM customers) || (SELECT count(*) FROM invoices)')" = 33 ]
q .dump >"$T/before.dump"
printf 'customer_id,name,email\n"X;1 OR 1=1",Semi Colon,a@b.example\n' >"$T/semi.csv"
expect_rc 2 "an id with the list separator ';' is rejected cleanly" "$CTL" -c "$C" import customers "$T/semi.csv"
check "and the error names the line and the column" grep -q "line 2: column 'customer_id'" "$T/err"
q .dump >"$T/after.dump"
check "the rejected file left the store unchanged" cmp -s "$T/before.dump" "$T/after.dump"
check "integrity_check and foreign_key_check after the imports" integrity

# The agent's first messages, to a Maildir: real tokens to reply to, and the
# hostile text shown literally in both parts.
expect_rc 0 "the agent writes the first messages" "$AGENT" -c "$C" --date 2026-03-03 run --maildir "$T/md1"
python3 - "$T/md1" "$HNAME" "$HINV" "$HID" <<'PY' >"$T/verdicts"
import sys, os, email, email.policy
md, hname, hinv, hid = sys.argv[1:5]
def check(desc, cond, info=""):
    print(("PASS " if cond else "FAIL ") + desc + ("" if cond else f"  [{str(info)[:300]}]"))
msgs = [email.message_from_binary_file(open(os.path.join(md, "new", f), "rb"), policy=email.policy.default)
        for f in os.listdir(os.path.join(md, "new"))]
h = [m for m in msgs if m["To"].addresses[0].addr_spec == "ap@hostile.example"]
check("the hostile customer got one message", len(h) == 1, len(msgs))
if h:
    m = h[0]
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    check("text part: the name verbatim, no template expansion", f"Dear {hname} team" in text, text[:400])
    check("text part: the invoice id verbatim", f"invoice {hinv} for" in text, text[:400])
    check("text part: the customer id verbatim", f"customer number {hid})" in text, text[:400])
    both = text + html
    check("no section of customer data ran (LOOP, EMPTY only inside their literal tags)",
          both.count("LOOP") == both.count("{{#invoices}}LOOP{{/invoices}}") > 0 and
          both.count("EMPTY") == both.count("{{^invoices}}EMPTY{{/invoices}}") > 0)
    check("HTML part: no live <script>, <b>, <i> or <img> from customer data",
          "<script" not in html and "<b>x" not in html and "<i>" not in html and "<img" not in html)
    check("HTML part: the name escaped", "&lt;script&gt;alert(1)&lt;/script&gt; {{lead_id}} {{{customer_name}}}" in html, html[:600])
    check("HTML part: the invoice id escaped", "I&#39;1{{customer_name}}&lt;b&gt;x&lt;/b&gt;" in html)
    check("Subject shows the invoice id verbatim", hinv in m["Subject"], m["Subject"])
    check("the display name decodes to the name", m["To"].addresses[0].display_name == hname, m["To"])
PY
while read -r verdict desc; do
    if [ "$verdict" = PASS ]; then ok "$desc"; else notok "$desc"; fi
done <"$T/verdicts"
[ -s "$T/verdicts" ] || notok "agent message checks ran"
tokA=$(q "SELECT token FROM messages WHERE direction='out' AND customer_id='A'")
tokB=$(q "SELECT token FROM messages WHERE direction='out' AND customer_id='B'")
check "A and B each have a reply token" [ ${#tokA} = 16 ] && [ ${#tokB} = 16 ]
state() { echo "$(q "SELECT count(*) FROM disputes WHERE customer_id='$1'")|$(q "SELECT count(*) FROM promises WHERE customer_id='$1'")|$(q "SELECT coalesce(last_reply,'') || '/' || coalesce(hold_until,'') FROM dunning WHERE customer_id='$1'")|$(q "SELECT count(*) FROM escalations WHERE customer_id='$1' AND kind != 'review'")"; }
A0=$(state A) B0=$(state B)

# --- B.1 forged replies ----------------------------------------------------
# An unknown sender naming B's invoice: a review item for a person, B untouched.
eml u1.eml stranger@unknown.example ar@collect.example.com u1@unknown.example \
    "We dispute invoice B-1, the goods never arrived. This is unacceptable."
expect_rc 0 "ingest: unknown sender naming B's invoice" ingest "$T/u1.eml"
check "matched only by invoice, customer B, only a review action" \
    json "$T/out" 'r["match"] == "invoice" and r["customer"] == "B" and [a.split(":")[0] for a in r["actions"]] == ["review", "route"]'
# An unknown sender naming nothing: a review item for the default owner.
eml u2.eml stranger@unknown.example ar@collect.example.com u2@unknown.example "Please call me back."
expect_rc 0 "ingest: unknown sender naming nothing" ingest "$T/u2.eml"
check "no match, no customer, only a review" json "$T/out" 'r["match"] == "none" and r["customer"] is None and r["actions"][0] == "review:desk@collect.example.com"'
check "B's state unchanged by the unknown senders" [ "$(state B)" = "$B0" ]

# A's contact (From spoofable) with a token-shaped tag that does not verify,
# and forged X-Ardent-* headers naming B. The contract lets a known contact
# address change the account, so A is matched by contact; the wrong token is
# not used (not recorded on the reply) and the forged headers count for
# nothing. (SPF/DMARC upstream is what keeps From honest; ardent cannot.)
eml w1.eml pay@alpha.example "ar+aaaaaaaaaaaaaaaa@collect.example.com" w1@alpha.example \
    "We will pay invoice A-1 on Friday 13 March." 'X-Ardent-Customer: B\r\nX-Ardent-Match: token\r\n'
expect_rc 0 "ingest: A's contact with a wrong token and forged X-Ardent headers" ingest "$T/w1.eml"
check "matched by contact to A, not by token, not to B" json "$T/out" 'r["match"] == "contact" and r["customer"] == "A"'
check "the wrong token is not recorded on the reply" [ -z "$(q "SELECT token FROM messages WHERE message_id='w1@alpha.example'")" ]
check "B's state unchanged by the forged headers" [ "$(state B)" = "$B0" ]

# B's valid token sent from A's contact address. The token proves which
# conversation it is; the From proves it came from A's side. With the two
# strong pieces of evidence naming different accounts (a forwarded reminder,
# a shared payables desk, or a forged From) neither account may change on
# its own: B's owner gets a review item naming the conflict, no dispute is
# opened on A or B. (Before this test, B's account took the dispute.)
A1=$(state A)
eml x1.eml pay@alpha.example "ar+$tokB@collect.example.com" x1@alpha.example \
    "We dispute invoice B-1, the goods never arrived. This is unacceptable."
expect_rc 0 "ingest: B's valid token from A's contact" ingest "$T/x1.eml"
check "no state-changing action; a conflict review for B's owner" \
    json "$T/out" 'r["customer"] == "B" and r["actions"][:2] == ["conflict:A", "review:bob@collect.example.com"] and not any(a.startswith(("answered","dispute","escalation")) for a in r["actions"])'
check "B's state unchanged (no dispute, no reply recorded)" [ "$(state B)" = "$B0" ]
check "A's state unchanged" [ "$(state A)" = "$A1" ]
check "the review names the conflict" grep -q "token of B but comes from pay@alpha.example, a contact of A" <(q "SELECT reason FROM escalations WHERE kind='review'")
# The same token from B's own contact is the normal case: applied to B.
eml x2.eml pay@beta.example "ar+$tokB@collect.example.com" x2@beta.example \
    "We dispute invoice B-1, the goods never arrived. This is unacceptable."
expect_rc 0 "ingest: B's token from B's contact" ingest "$T/x2.eml"
check "applied to B by token (dispute opened)" json "$T/out" 'r["match"] == "token" and r["customer"] == "B" and "dispute:B-1" in r["actions"]'

# --- B.6 a token that does not verify never counts --------------------------
# A row that looks like one of ours but whose token is not HMAC(secret, B,
# serial): it must not match, in the address or in In-Reply-To.
q "INSERT INTO messages (direction, customer_id, message_id, token, serial, status, created_at)
   VALUES ('out', 'B', 'ardent.abcdefghijklmnop@collect.example.com', 'abcdefghijklmnop', 7, 'sent', '2026-03-01T00:00:00Z')"
B2=$(state B)
eml t1.eml stranger@unknown.example "ar+abcdefghijklmnop@collect.example.com" t1@unknown.example "We paid everything yesterday."
eml t2.eml stranger@unknown.example ar@collect.example.com t2@unknown.example "We paid everything yesterday." \
    'In-Reply-To: <ardent.abcdefghijklmnop@collect.example.com>\r\nReferences: <ardent.abcdefghijklmnop@collect.example.com>\r\n'
ttamper=$(echo "$tokA" | tr 'a-z2-7' 'b-z2-7a')
eml t3.eml stranger@unknown.example "ar+$ttamper@collect.example.com" t3@unknown.example "We paid everything yesterday."
eml t4.eml stranger@unknown.example "ar+${tokA^^}@collect.example.com" t4@unknown.example "We paid everything yesterday."
expect_rc 0 "ingest: planted, tampered and upper-cased tokens" ingest "$T/t1.eml" "$T/t2.eml" "$T/t3.eml" "$T/t4.eml"
check "a stored but unverifiable token (address, In-Reply-To), a tampered one: never a token match" \
    json "$T/out" 'all(x["match"] != "token" and x["customer"] is None for x in rows[:3])'
check "B's state unchanged by them" [ "$(state B)" = "$B2" ]
check "a valid token in upper case still verifies (addresses are case-blind)" json "$T/out" 'rows[3]["match"] == "token" and rows[3]["customer"] == "A"'

# --- B.2 SQL and template syntax in reply headers ---------------------------
SUBJ="Re: '); DROP TABLE messages;-- {{#invoices}}X{{/invoices}} <script>x</script>"
printf 'From: "Bobby %s {{customer_name}}" <pay@beta.example>\r\nTo: ar@collect.example.com\r\nSubject: %s\r\nMessage-ID: <sq1@beta.example>\r\nDate: Tue, 10 Mar 2026 10:00:00 +0000\r\n\r\nThanks, noted.\r\n' \
    "'); DELETE FROM customers;--" "$SUBJ" >"$T/sq.eml"
expect_rc 0 "ingest: SQL and template syntax in Subject and From name" ingest "$T/sq.eml"
check "the subject comes back verbatim" json "$T/out" "r[\"subject\"] == $(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$SUBJ")"
check "and is stored verbatim" [ "$(q "SELECT subject FROM messages WHERE message_id='sq1@beta.example'")" = "$SUBJ" ]
check "every table still holds its rows" [ "$(q 'SELECT (SELECT count(*) FROM customers) || (SELECT count(*) > 0 FROM messages)')" = 31 ]
check "integrity_check after hostile replies" integrity

# --- B.3 CR/LF encoded in RFC 2047 words ------------------------------------
# A's contact answers A's first message; the subject and the display name
# decode to CR/LF + "Bcc:". Nothing ardent writes may carry that line.
printf 'From: =?utf-8?q?Pay=0D=0ABcc=3A_x=40evil=2Eexample?= <pay@alpha.example>\r\nTo: ar+%s@collect.example.com\r\nSubject: =?utf-8?q?a=0D=0ABcc:_x@evil.example?=\r\nMessage-ID: <crlf1@alpha.example>\r\nIn-Reply-To: <ardent.%s@collect.example.com>\r\nDate: Tue, 10 Mar 2026 10:00:00 +0000\r\n\r\nThanks for the reminder, we are looking into it.\r\n' \
    "$tokA" "$tokA" >"$T/crlf.eml"
expect_rc 0 "ingest: a reply with CR/LF encoded in Subject and From name" ingest "$T/crlf.eml"
check "the decoded subject is one line" json "$T/out" '"\r" not in r["subject"] and "\n" not in r["subject"] and "Bcc: x@evil.example" in r["subject"]'
check "the stored subject is one line" [ "$(q "SELECT instr(subject, char(10)) + instr(subject, char(13)) FROM messages WHERE message_id='crlf1@alpha.example'")" = 0 ]
"$CTL" -c "$C" account A >"$T/acct.txt"
check "the account view shows no line beginning with Bcc:" bash -c "! grep -q '^Bcc:' '$T/acct.txt'"
# The agent's next message to A: its own subject and thread, no Bcc.
q "UPDATE dunning SET hold_until = NULL WHERE customer_id = 'A'"
expect_rc 0 "the agent's next run" "$AGENT" -c "$C" --date 2026-03-17 --customer A run --maildir "$T/md2"
python3 - "$T/md2" <<'PY' >"$T/verdicts"
import sys, os, email, email.policy, re
md = sys.argv[1]
def check(desc, cond, info=""):
    print(("PASS " if cond else "FAIL ") + desc + ("" if cond else f"  [{str(info)[:300]}]"))
files = os.listdir(os.path.join(md, "new")) if os.path.isdir(os.path.join(md, "new")) else []
check("A got its next message", len(files) == 1, files)
for f in files:
    raw = open(os.path.join(md, "new", f), "rb").read()
    head = raw.split(b"\n\n")[0]
    m = email.message_from_bytes(raw, policy=email.policy.default)
    check("no Bcc header, no header line starting with Bcc", "Bcc" not in m and not re.search(rb"(?im)^bcc:", head), head[:500])
    check("In-Reply-To is ardent's own message", re.fullmatch(r"<ardent\.[a-z2-7]{16}@collect\.example\.com>", m["In-Reply-To"] or ""), m["In-Reply-To"])
    check("References hold only ardent's own messages", all(re.fullmatch(r"<ardent\.[a-z2-7]{16}@collect\.example\.com>", x) for x in (m["References"] or "").split()), m["References"])
    check("Subject is ardent's, on one line", "evil" not in m["Subject"] and "\n" not in m["Subject"], m["Subject"])
    check("nothing addressed to the smuggled address", b"evil.example" not in raw)
PY
while read -r verdict desc; do
    if [ "$verdict" = PASS ]; then ok "$desc"; else notok "$desc"; fi
done <"$T/verdicts"
[ -s "$T/verdicts" ] || notok "next-message checks ran"

# --- B.4 a reply addressed to 10,000 recipients -----------------------------
python3 - "$T" <<'PY'
import sys
T = sys.argv[1]
to = ", ".join(f"u{i:05d}@example.com" for i in range(10000))
with open(f"{T}/many.eml", "w") as f:
    f.write(f"From: pay@alpha.example\r\nTo: ar@collect.example.com, {to}\r\nCc: {to}\r\n"
            "Subject: Re: reminder\r\nMessage-ID: <many@alpha.example>\r\n"
            "Date: Tue, 10 Mar 2026 10:00:00 +0000\r\n\r\nThanks, noted.\r\n")
PY
expect_rc 0 "ingest: To and Cc with 10,000 addresses each, within 60 s" timeout 60 "$CTL" -c "$C" --date 2026-03-10 ingest "$T/many.eml"
check "read as a reply from A's contact, recorded once" json "$T/out" 'r["customer"] == "A" and r["match"] == "contact"'
check "the message row is there once" [ "$(q "SELECT count(*) FROM messages WHERE message_id='many@alpha.example'")" = 1 ]

# --- B.5 10,000 MIME parts; 100 levels of nesting ---------------------------
python3 - "$T" <<'PY'
import sys
T = sys.argv[1]
hdr = ("From: stranger@unknown.example\r\nTo: ar@collect.example.com\r\nSubject: {s}\r\n"
       "Message-ID: <{s}@unknown.example>\r\nDate: Tue, 10 Mar 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n")
parts = "".join(f"--B\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n" for i in range(10000))
with open(f"{T}/parts.eml", "w") as f:
    f.write(hdr.format(s="parts") + "Content-Type: multipart/mixed; boundary=B\r\n\r\n" + parts + "--B--\r\n")
deep = ""
for d in range(100):
    deep += f"Content-Type: multipart/mixed; boundary=N{d}\r\n\r\n--N{d}\r\n"
deep += "Content-Type: text/plain\r\n\r\nWe paid invoice B-1 yesterday.\r\n"
for d in reversed(range(100)):
    deep += f"\r\n--N{d}--\r\n"
with open(f"{T}/deep.eml", "w") as f:
    f.write(hdr.format(s="deep") + deep)
PY
expect_rc 0 "classify: 10,000 parts and 100 levels, within 60 s" timeout 60 "$CTL" -c "$C" classify "$T/parts.eml" "$T/deep.eml"
check "two complete JSON objects with the contract's keys" json "$T/out" \
    'len(rows) == 2 and all({"file","intent","sentiment","auto_reply","text","invoices"} <= set(x) for x in rows)'
check "the 10,000-part text is read but bounded" json "$T/out" '"part 0" in rows[0]["text"] and len(rows[0]["text"]) < 2000000'
expect_rc 0 "ingest: the same two, within 60 s" timeout 60 "$CTL" -c "$C" --date 2026-03-10 ingest "$T/parts.eml" "$T/deep.eml"
check "an unknown sender's deep or wide message changes no account" \
    json "$T/out" 'all(not any(a.startswith(("answered","dispute","promise","hold")) for a in x["actions"]) for x in rows)'
check "integrity_check after everything" integrity

# --- the milter half, through Postfix: CR/LF and 10,000 recipients ----------
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null; then
    notok "the milter checks need root and postfix"; done_testing; exit 0
fi
sport=$(freeport)
pf_start "$T/pf" "$sport" ar@collect.example.com alice@collect.example.com bob@collect.example.com \
    desk@collect.example.com || { notok "postfix starts"; done_testing; exit 1; }
pf_milter "inet:127.0.0.1:$mport"
"$MILTER" -c "$C" --date 2026-03-10 -f 2>"$T/milter.log" &
mpid=$!
for i in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$mport") 2>/dev/null && break; sleep 0.1; done
sendfile() {  # sendfile FILE RCPT
    python3 - "$sport" "$1" "$2" <<'PY'
import smtplib, sys
port, path, rcpt = sys.argv[1:4]
with smtplib.SMTP("127.0.0.1", int(port), timeout=60) as s:
    s.sendmail("pay@alpha.example", [rcpt], open(path, "rb").read())
PY
}
sed 's/crlf1@alpha/crlf2@alpha/' "$T/crlf.eml" >"$T/crlf2.eml"
check "the CR/LF reply is accepted over SMTP" sendfile "$T/crlf2.eml" "ar+$tokA@collect.example.com"
sed 's/many@alpha/many2@alpha/' "$T/many.eml" >"$T/many2.eml"
start=$(date +%s)
check "the 10,000-recipient reply is accepted over SMTP" sendfile "$T/many2.eml" ar@collect.example.com
pf_wait_delivered 2 60
check "both are delivered ($(pf_count) of 2) within $(( $(date +%s) - start )) s" test "$(pf_count)" -ge 2
python3 - "$(pf_maildir ar@collect.example.com)/new" <<'PY' >"$T/verdicts"
import sys, os, re
d = sys.argv[1]
def check(desc, cond, info=""):
    print(("PASS " if cond else "FAIL ") + desc + ("" if cond else f"  [{str(info)[:300]}]"))
for f in sorted(os.listdir(d)):
    raw = open(os.path.join(d, f), "rb").read()
    head = raw.split(b"\n\n")[0]
    if b"crlf2@alpha" not in head:
        continue
    check("the milter marked the CR/LF reply", re.search(rb"(?m)^X-Ardent-Customer: A$", head), head[-600:])
    check("no Bcc line in the delivered headers", not re.search(rb"(?im)^bcc:", head))
    xs = re.findall(rb"(?m)^X-Ardent-[A-Za-z]+: .*(?:\n\t.*)*", head)
    check("every X-Ardent header is printable ASCII", xs and all(re.fullmatch(rb"[\x20-\x7e\n\t]+", x) for x in xs), xs)
PY
while read -r verdict desc; do
    if [ "$verdict" = PASS ]; then ok "$desc"; else notok "$desc"; fi
done <"$T/verdicts"
[ -s "$T/verdicts" ] || notok "the CR/LF reply was delivered"
check "the milter survived both (still running)" kill -0 $mpid
check "the milter logged the CR/LF reply on one line (customer A)" grep -q "customer=A match=token" "$T/milter.log"
check "the smuggled address got no mail" bash -c "! grep -q 'to=<x@evil.example>' '$T/pf/maillog'"
kill -TERM $mpid; wait $mpid; rc=$?; mpid=
check "SIGTERM stops the milter cleanly" test "$rc" = 0
done_testing
