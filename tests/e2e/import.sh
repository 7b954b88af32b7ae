#!/bin/bash
# ERP import: the sample twice, every validation error, one bad row among good
# ones (exit 2, the line named, the store unchanged), quoting, payments.
. "$(dirname "$0")/lib.sh"
C=$(conf)
S="$TOP/contrib/sample"
dump() { sqlite3 "$T/ardent.db" "SELECT * FROM customers; SELECT * FROM contacts; SELECT * FROM invoices; SELECT * FROM payments; SELECT * FROM allocations; SELECT count(*) FROM events; SELECT count(*) FROM imports;"; }

for k in customers invoices payments; do
    expect_rc 0 "sample $k imports" "$CTL" -c "$C" import $k "$S/$k.csv"
done
sqlite3 "$T/ardent.db" ".backup '$T/sample-copy.db'"
for k in customers invoices payments; do
    n=$(($(wc -l <"$S/$k.csv") - 1))
    out=$("$CTL" -c "$C" import $k "$S/$k.csv")
    check "second $k import reports everything unchanged ($out)" [ "$out" = "0 inserted, 0 updated, $n unchanged" ]
done

# options before or after the command are the same
expect_rc 0 "--db after the command" "$CTL" account C-1001 --db "$T/ardent.db" --json
expect_rc 0 "--db before the command" "$CTL" --db "$T/ardent.db" account C-1001 --json
check "account JSON has the contract's keys" json "$T/out" \
  'all(k in r for k in ["customer","stage","human_only","balance","escalations","disputes","promises"])'
"$CTL" -c "$C" account C-1016 --json >"$T/ho.json"
check "the human-only customer is marked" json "$T/ho.json" 'r["human_only"] is True'
"$CTL" -c "$C" account C-1013 --json >"$T/cn.json"
check "a credit note counts against the balance" json "$T/cn.json" 'r["balance"] < 0'
expect_rc 2 "unknown customer exits 2" "$CTL" -c "$C" account NOPE

# bad rows: each one alone in an otherwise good file; exit 2, line and column named
before=$(dump)
bad() {  # kind, description, expected text in the error, CSV body (header first)
    local kind=$1 desc=$2 want=$3
    printf '%b' "$4" >"$T/bad.csv"
    "$CTL" -c "$C" import "$kind" "$T/bad.csv" >"$T/out" 2>"$T/err"
    local rc=$?
    if [ "$rc" = 2 ] && grep -qF -- "$want" "$T/err"; then ok "$desc"; else
        notok "$desc (exit $rc: $(cat "$T/err"))"; fi
}
CH='customer_id,name,email,owner,locale,timezone,segment,human_only\n'
IH='invoice_id,customer_id,issue_date,due_date,amount,currency,open_amount,status\n'
PH='payment_id,customer_id,invoice_id,date,amount,currency\n'
bad customers "empty name" "line 3: column 'name': is empty" "${CH}N1,New,a@b.example.com,,,,,\nN2,,a@b.example.com,,,,,\n"
bad customers "bad e-mail" "line 2: column 'email'" "${CH}N1,New,not-an-address,,,,,\n"
bad customers "one bad address of two" "column 'email'" "${CH}N1,New,a@b.example.com;x@@y,,,,,\n"
bad customers "bad owner" "column 'owner'" "${CH}N1,New,a@b.example.com,bob,,,,\n"
bad customers "bad locale" "column 'locale'" "${CH}N1,New,a@b.example.com,,it,,,\n"
bad customers "bad time zone" "column 'timezone'" "${CH}N1,New,a@b.example.com,,en,Mars/Olympus,,\n"
bad customers "bad segment" "column 'segment'" "${CH}N1,New,a@b.example.com,,en,,huge,\n"
bad customers "bad human_only" "column 'human_only'" "${CH}N1,New,a@b.example.com,,en,,,maybe\n"
bad customers "CR/LF in a name" "column 'name'" "${CH}N1,\"Evil\r\nBcc: x@y.example.com\",a@b.example.com,,,,,\n"
bad customers "missing required column" "column 'email': required column missing" "customer_id,name\nN1,New\n"
bad customers "short row" "line 3: 2 fields where the header has 8" "${CH}N1,New,a@b.example.com,,,,,\nN2,New\n"
bad customers "broken quoting" "malformed CSV" "${CH}N1,\"New,a@b.example.com,,,,,\n"
bad customers "invalid UTF-8" "not valid UTF-8" "${CH}N1,New \xff\xfe,a@b.example.com,,,,,\n"
bad invoices "date that does not exist" "line 2: column 'due_date': '2026-02-30'" "${IH}X1,C-1001,2026-01-01,2026-02-30,10.00,EUR,,\n"
bad invoices "sloppy date" "column 'issue_date'" "${IH}X1,C-1001,1/2/2026,2026-02-28,10.00,EUR,,\n"
bad invoices "due before issue" "column 'due_date'" "${IH}X1,C-1001,2026-03-01,2026-02-28,10.00,EUR,,\n"
bad invoices "amount with a comma" "column 'amount'" "${IH}X1,C-1001,2026-01-01,2026-02-28,\"1,000.00\",EUR,,\n"
bad invoices "too many decimals" "more decimal places" "${IH}X1,C-1001,2026-01-01,2026-02-28,10.005,EUR,,\n"
bad invoices "decimals on JPY" "more decimal places" "${IH}X1,C-1001,2026-01-01,2026-02-28,10.5,JPY,,\n"
bad invoices "unknown currency" "column 'currency': 'EUX'" "${IH}X1,C-1001,2026-01-01,2026-02-28,10.00,EUX,,\n"
bad invoices "open above amount" "column 'open_amount'" "${IH}X1,C-1001,2026-01-01,2026-02-28,10.00,EUR,11.00,\n"
bad invoices "bad status" "column 'status'" "${IH}X1,C-1001,2026-01-01,2026-02-28,10.00,EUR,,closed\n"
bad invoices "unknown customer" "unknown customer 'C-9999'" "${IH}X1,C-9999,2026-01-01,2026-02-28,10.00,EUR,,\n"
bad invoices "SQL metacharacters stay data" "unknown customer 'x' OR 1=1 --'" "${IH}X1,x' OR 1=1 --,2026-01-01,2026-02-28,10.00,EUR,,\n"
bad payments "unknown invoice" "unknown invoice 'I-0'" "${PH}PX,C-1001,I-0,2026-03-01,10.00,EUR\n"
bad payments "invoice of another customer" "belongs to another customer" "${PH}PX,C-1002,I-4001,2026-03-01,10.00,EUR\n"
bad payments "currency differs from the invoice" "differs from the invoice" "${PH}PX,C-1001,I-4001,2026-03-01,10.00,GBP\n"
bad payments "zero amount" "must be above zero" "${PH}PX,C-1001,I-4001,2026-03-01,0,EUR\n"
bad invoices "empty file" "no header row" ""
check "bad files left the store unchanged" [ "$before" = "$(dump)" ]

# one bad row among good ones, deep in the file: exit 2, its line, nothing stored
{
    printf 'invoice_id,customer_id,issue_date,due_date,amount,currency\n'
    for i in $(seq 1 500); do printf 'G%d,C-1001,2026-01-01,2026-01-31,%d.00,EUR\n' "$i" "$i"; done
    printf 'G501,C-1001,2026-01-01,2026-13-01,1.00,EUR\n'
    for i in $(seq 502 600); do printf 'G%d,C-1001,2026-01-01,2026-01-31,1.00,EUR\n' "$i"; done
} >"$T/mixed.csv"
sqlite3 "$T/ardent.db" .dump >"$T/dump-before"
expect_rc 2 "one bad row among 600 rejects the file" "$CTL" -c "$C" import invoices "$T/mixed.csv"
check "the error names line 502" grep -q "line 502: column 'due_date'" "$T/err"
sqlite3 "$T/ardent.db" .dump >"$T/dump-after"
check "store content byte-for-byte equal after the rejected file" cmp -s "$T/dump-before" "$T/dump-after"

# quoting: commas, quotes and a line break inside fields; later line numbers stay right
printf 'customer_id,name,email,extra_column\nQ1,"Smith, ""Bob"" & Co",q1@example.com,"a note\non two lines"\nQ2,Q Two,bad@,x\n' >"$T/q.csv"
expect_rc 2 "a bad row after a multi-line field" "$CTL" -c "$C" import customers "$T/q.csv"
check "its line number counts the embedded line break" grep -q "line 4: column 'email'" "$T/err"
printf 'customer_id,name,email,extra_column\r\nQ1,"Smith, ""Bob"" & Co",Q1@Example.com; q1b@example.com ,ignored\r\n' >"$T/q.csv"
expect_rc 0 "CRLF, quotes, commas, unknown columns" "$CTL" -c "$C" import customers "$T/q.csv"
"$CTL" -c "$C" account Q1 --json >"$T/q.json"
check "quoted name kept exactly" json "$T/q.json" 'r["name"] == "Smith, \"Bob\" & Co"'
check "addresses normalised, both kept" json "$T/q.json" '[c["email"] for c in r["contacts"]] == ["q1@example.com","q1b@example.com"]'
check "default locale en" json "$T/q.json" 'r["locale"] == "en"'

# payments: to a named invoice, partial, to the oldest when none is named, credit
printf "${CH}P1,Pay Test,p@example.com,,de,Europe/Berlin,small,0\n" >"$T/c.csv"
"$CTL" -c "$C" import customers "$T/c.csv" >/dev/null
printf "${IH}PA,P1,2026-01-01,2026-01-31,100.00,EUR,,\nPB,P1,2026-01-05,2026-02-15,200.00,EUR,,\nPC,P1,2026-01-10,2026-03-01,50.00,EUR,40.00,\nPCN,P1,2026-01-20,2026-01-20,-30.00,EUR,,\n" >"$T/i.csv"
"$CTL" -c "$C" import invoices "$T/i.csv" >/dev/null
printf "${PH}X1,P1,PB,2026-02-20,50.00,EUR\nX2,P1,,2026-02-21,120.00,\n" >"$T/p.csv"
expect_rc 0 "payments import" "$CTL" -c "$C" import payments "$T/p.csv"
"$CTL" -c "$C" account P1 --json --date 2026-03-10 >"$T/p.json"
check "partial payment to the named invoice, rest to the oldest" json "$T/p.json" \
  '{i["invoice"]: i["open_amount"] for i in r["open_invoices"]} == {"PB": 130.0, "PC": 40.0, "PCN": -30.0}'
check "balance nets the credit note: 140.00" json "$T/p.json" 'abs(r["balance"] - 140.0) < 1e-9'
printf "${PH}X3,P1,,2026-02-22,500.00,EUR\n" >"$T/p2.csv"
"$CTL" -c "$C" import payments "$T/p2.csv" >/dev/null
"$CTL" -c "$C" account P1 --json >"$T/p.json"
check "overpayment becomes customer credit (balance -360.00)" json "$T/p.json" 'abs(r["balance"] + 360.0) < 1e-9'
printf "${PH}X3,P1,,2026-02-22,100.00,EUR\n" >"$T/p2.csv"
out=$("$CTL" -c "$C" import payments "$T/p2.csv")
check "a changed payment is updated and reallocated" [ "$out" = "0 inserted, 1 updated, 0 unchanged" ]
"$CTL" -c "$C" account P1 --json >"$T/p.json"
check "after the change the balance is 40.00" json "$T/p.json" 'abs(r["balance"] - 40.0) < 1e-9'
check "every payment is in the event log" json "$T/p.json" 'sum(1 for e in r["events"] if e["kind"].startswith("payment")) == 4'

# allocation order among invoices due the same day: issue date, then id, not
# the order they were imported in
printf "${CH}P2,Tie Test,t@example.com,,de,Europe/Berlin,small,0\n" >"$T/c.csv"
"$CTL" -c "$C" import customers "$T/c.csv" >/dev/null
printf "${IH}TC,P2,2026-03-05,2026-04-30,10.00,EUR,,\nTB,P2,2026-03-01,2026-04-30,10.00,EUR,,\nTA,P2,2026-03-05,2026-04-30,10.00,EUR,,\nTD,P2,2026-03-01,2026-05-31,10.00,EUR,,\n" >"$T/t.csv"
"$CTL" -c "$C" import invoices "$T/t.csv" >/dev/null
printf "${PH}X4,P2,,2026-04-01,25.00,EUR\n" >"$T/t.csv"
"$CTL" -c "$C" import payments "$T/t.csv" >/dev/null
"$CTL" -c "$C" account P2 --json >"$T/p.json"
check "same due date: earlier issue date first, then the lower id (TB, TA, then 5.00 of TC)" json "$T/p.json" \
  '{i["invoice"]: i["open_amount"] for i in r["open_invoices"]} == {"TC": 5.0, "TD": 10.0}'
check "the payment's event names its allocations in that order" json "$T/p.json" \
  'any(e["reason"].endswith("10.00 EUR to TB, 10.00 EUR to TA, 5.00 EUR to TC") for e in r["events"])'

# invoices are written sixteen at a time: a batch mixing new, changed,
# unchanged and repeated ids counts and stores as if written one by one
{ printf "${IH}"; for i in $(seq 1 8); do printf 'B%d,P1,2026-05-01,2026-06-30,1.00,EUR,,\n' "$i"; done; } >"$T/b1.csv"
"$CTL" -c "$C" import invoices "$T/b1.csv" >/dev/null
{
    printf "${IH}"
    for i in 1 2 3 4; do printf 'B%d,P1,2026-05-01,2026-06-30,1.00,EUR,,\n' "$i"; done
    for i in 5 6 7 8; do printf 'B%d,P1,2026-05-01,2026-06-30,2.00,EUR,,\n' "$i"; done
    for i in 1 2 3 4 5 6; do printf 'N%d,P1,2026-05-01,2026-06-30,3.00,EUR,,\n' "$i"; done
    printf 'N1,P1,2026-05-01,2026-06-30,3.00,EUR,,\nN2,P1,2026-05-01,2026-06-30,4.00,EUR,,\n'
    for i in 7 8 9 10; do printf 'N%d,P1,2026-05-01,2026-06-30,3.00,EUR,,\n' "$i"; done
} >"$T/b2.csv"
out=$("$CTL" -c "$C" import invoices "$T/b2.csv")
check "a mixed batch: 10 inserted, 5 updated, 5 unchanged ($out)" [ "$out" = "10 inserted, 5 updated, 5 unchanged" ]
check "the repeated id keeps its second version" [ "$(sqlite3 "$T/ardent.db" "SELECT amount FROM invoices WHERE id = 'N2'")" = 400 ]
check "an event for each of the 5 updates" [ "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM events WHERE kind = 'invoice_updated' AND reason LIKE 'invoice B%' OR reason LIKE 'invoice N2 %'")" = 5 ]
out=$("$CTL" -c "$C" import invoices "$T/b2.csv")
check "the same file again: N2 changes twice, the rest is unchanged ($out)" [ "$out" = "0 inserted, 2 updated, 18 unchanged" ]
check "every open amount is the ERP's less the allocations" [ "$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM invoices i WHERE open_amount <> erp_open_amount - coalesce((SELECT sum(amount) FROM allocations a WHERE a.invoice_id = i.id), 0)")" = 0 ]

# the same export again changes nothing: a payment without currency keeps
# the one it was given (the GBP invoice is the oldest open one), also when it
# settled the customer's last open invoice; a new one for a customer with
# nothing open takes the currency all its invoices share
printf 'customer_id,name,email\nR1,Re One,r1@example.com\nR2,Re Two,r2@example.com\n' >"$T/r.csv"
"$CTL" -c "$C" import customers "$T/r.csv" >/dev/null
printf "${IH}RA,R1,2026-01-01,2026-01-31,100.00,EUR,,\nRB,R1,2025-11-01,2026-01-15,50.00,GBP,,\nRC,R2,2026-01-01,2026-01-31,100.00,EUR,,\n" >"$T/r.csv"
"$CTL" -c "$C" import invoices "$T/r.csv" >/dev/null
printf 'date,amount,customer_id,payment_id\n2026-03-01,150.00,R1,RX1\n2026-03-01,100.00,R2,RX2\n' >"$T/rp.csv"
"$CTL" -c "$C" import payments "$T/rp.csv" >/dev/null
rdump() { sqlite3 "$T/ardent.db" "SELECT * FROM payments WHERE id LIKE 'RX%'; SELECT id, open_amount FROM invoices WHERE id LIKE 'R%'; SELECT count(*) FROM events WHERE kind <> 'import'"; }
rbefore=$(rdump)
for i in 2 3; do
    out=$("$CTL" -c "$C" import payments "$T/rp.csv" 2>&1)
    check "payments without currency, import $i: unchanged ($out)" [ "$out" = "0 inserted, 0 updated, 2 unchanged" ]
done
check "... no payment, allocation or event changed" [ "$(rdump)" = "$rbefore" ]
check "the payment stayed in GBP" [ "$(sqlite3 "$T/ardent.db" "SELECT currency FROM payments WHERE id = 'RX1'")" = GBP ]
printf 'payment_id,customer_id,date,amount\nRX3,R2,2026-03-02,10.00\n' >"$T/rp.csv"
expect_rc 0 "a new payment for a customer with nothing open" "$CTL" -c "$C" import payments "$T/rp.csv"
check "... takes its invoices' one currency, as credit" [ "$(sqlite3 "$T/ardent.db" "SELECT currency || ' ' || unapplied FROM payments WHERE id = 'RX3'")" = "EUR 1000" ]

# a column left out of an export leaves that field of existing records alone
printf 'customer_id,name,email,owner,human_only,locale,segment\nO1,Omit,o@example.com,alice@collect.example.com,yes,de,strategic\n' >"$T/o.csv"
"$CTL" -c "$C" import customers "$T/o.csv" >/dev/null
printf 'customer_id,name,email\nO1,Omit,o@example.com\n' >"$T/o.csv"
out=$("$CTL" -c "$C" import customers "$T/o.csv")
check "customers without the optional columns: unchanged ($out)" [ "$out" = "0 inserted, 0 updated, 1 unchanged" ]
check "... owner, locale, segment and human_only kept" [ "$(sqlite3 "$T/ardent.db" "SELECT owner || ' ' || locale || ' ' || segment || ' ' || human_only FROM customers WHERE id = 'O1'")" = "alice@collect.example.com de strategic 1" ]
printf "${IH}OA,O1,2026-01-01,2026-01-31,100.00,EUR,40.00,paid\n" >"$T/o.csv"
"$CTL" -c "$C" import invoices "$T/o.csv" >/dev/null
printf 'invoice_id,customer_id,issue_date,due_date,amount,currency\nOA,O1,2026-01-01,2026-01-31,100.00,EUR\n' >"$T/o.csv"
out=$("$CTL" -c "$C" import invoices "$T/o.csv")
check "invoices without the optional columns: unchanged ($out)" [ "$out" = "0 inserted, 0 updated, 1 unchanged" ]
check "... open amount and status kept" [ "$(sqlite3 "$T/ardent.db" "SELECT erp_open_amount || ' ' || status FROM invoices WHERE id = 'OA'")" = "4000 paid" ]

# a first load builds the indexes by customer once, at the end; a rejected
# first load leaves the store as it was, indexes included
F="$T/first.conf"
printf '[store]\npath = %s/first.db\n' "$T" >"$F"
"$CTL" -c "$F" import customers "$S/customers.csv" >/dev/null
sqlite3 "$T/first.db" .dump >"$T/first-before"
{ cat "$S/invoices.csv"; printf 'IX,C-1001,2026-01-01,2026-02-30,1.00,EUR,,,\n'; } >"$T/first-bad.csv"
expect_rc 2 "a first load of invoices with a bad last row is rejected" "$CTL" -c "$F" import invoices "$T/first-bad.csv"
sqlite3 "$T/first.db" .dump >"$T/first-after"
check "the store, schema included, is as it was" cmp -s "$T/first-before" "$T/first-after"
for k in invoices payments; do
    expect_rc 0 "a first load of $k" "$CTL" -c "$F" import $k "$S/$k.csv"
done
check "the indexes by customer are back" [ "$(sqlite3 "$T/first.db" "SELECT count(*) FROM sqlite_schema WHERE name IN ('invoices_customer', 'payments_customer')")" = 2 ]
check "integrity_check after the first load" [ "$(sqlite3 "$T/first.db" 'PRAGMA integrity_check')" = ok ]
check "the same allocations as the load into the sample store" \
  [ "$(sqlite3 "$T/first.db" 'SELECT * FROM allocations ORDER BY 1, 2' | md5sum)" = "$(sqlite3 "$T/sample-copy.db" 'SELECT * FROM allocations ORDER BY 1, 2' | md5sum)" ]
expect_rc 2 "unknown import kind" "$CTL" -c "$C" import suppliers "$T/p.csv"
expect_rc 2 "missing file" "$CTL" -c "$C" import payments "$T/nope.csv"
done_testing
