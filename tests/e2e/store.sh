#!/bin/bash
# The store: migration of an older schema, refusal of a newer one, the event
# log is append-only, concurrent readers and writers, configuration errors.
. "$(dirname "$0")/lib.sh"
C=$(conf)

# an older store (schema 1, as ardent 0.1 wrote it) is upgraded in place
sqlite3 "$T/old.db" <"$TOP/tests/fixtures/store-v1.sql"
expect_rc 0 "a schema-1 store opens" "$CTL" --db "$T/old.db" account C1 --json
check "its data survived the upgrade" json "$T/out" 'r["customer"] == "C1" and r["balance"] == 100.0'
v=$(sqlite3 "$T/old.db" 'PRAGMA user_version')
check "upgraded to the current schema (now $v)" [ "$v" -ge 2 ]
check "the upgrade is in the event log" grep -q "upgraded from version 1" <(sqlite3 "$T/old.db" "SELECT reason FROM events")
check "WAL mode" [ "$(sqlite3 "$T/old.db" 'PRAGMA journal_mode')" = wal ]
# step 3 turned every CHECK list of three or more values into comparisons
check "the upgraded store passes SQLite's integrity check" [ "$(sqlite3 "$T/old.db" 'PRAGMA integrity_check')" = ok ]
check "no CHECK list of three or more values is left" \
    bash -c "! sqlite3 '$T/old.db' 'SELECT sql FROM sqlite_schema' | grep -E \"IN \\('[^)]*,[^)]*,\""
check "the rewritten CHECKs are all there (6)" \
    [ "$(sqlite3 "$T/old.db" 'SELECT sql FROM sqlite_schema' | grep -oE "CHECK \([a-z]+ = '[a-z_]+'( OR [a-z]+ = '[a-z_]+')+\)" | wc -l)" = 6 ]
expect_rc 0 "a value the CHECK allows is still written" \
    sqlite3 "$T/old.db" "INSERT INTO events (at, cause, kind, reason) VALUES ('2026-01-01T00:00:00Z', 'collector', 'note', 't')"
expect_rc 19 "a value it does not allow is still refused (SQLITE_CONSTRAINT)" \
    sqlite3 "$T/old.db" "INSERT INTO events (at, cause, kind, reason) VALUES ('2026-01-01T00:00:00Z', 'Collector', 'note', 't')"
check "and SQLite says it is the CHECK" grep -q "CHECK constraint failed" "$T/err"
expect_rc 0 "NULL still passes an optional CHECK" sqlite3 "$T/old.db" "UPDATE customers SET segment = NULL WHERE id = 'C1'"
expect_rc 19 "a segment outside the list is refused" sqlite3 "$T/old.db" "UPDATE customers SET segment = 'gold' WHERE id = 'C1'"
expect_rc 19 "a promise status outside the list is refused" \
    sqlite3 "$T/old.db" "INSERT INTO promises (customer_id, promised_date, status, created_at) VALUES ('C1', '2026-01-01', 'maybe', 'x')"

# a newer store is refused, clearly, and left alone
sqlite3 "$T/old.db" 'PRAGMA user_version = 99'
expect_rc 1 "a store from a newer ardent is refused" "$CTL" --db "$T/old.db" account C1
check "the message says why" grep -q "schema version 99, newer than this program" "$T/err"
check "the newer store is untouched" [ "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" = 99 ]

# the event log cannot be rewritten
"$CTL" -c "$C" import customers "$TOP/contrib/sample/customers.csv" >/dev/null
check "events cannot be deleted" bash -c "! sqlite3 '$T/ardent.db' 'DELETE FROM events' 2>/dev/null"
check "events cannot be updated" bash -c "! sqlite3 '$T/ardent.db' \"UPDATE events SET reason = 'x'\" 2>/dev/null"

# a reader and two writers at once: no "database is locked"
"$CTL" -c "$C" import invoices "$TOP/contrib/sample/invoices.csv" >/dev/null
writer() {
    for i in $(seq 1 15); do
        printf 'invoice_id,customer_id,issue_date,due_date,amount,currency\n' >"$T/w$1.csv"
        for j in $(seq 1 200); do printf 'W%s-%d,C-100%d,2026-01-01,2026-01-31,%d.%02d,EUR\n' "$1" "$j" $((j % 9 + 1)) "$i" $((j % 100)); done >>"$T/w$1.csv"
        "$CTL" -c "$C" import invoices "$T/w$1.csv" >/dev/null 2>>"$T/conc.err" || echo "writer $1 failed" >>"$T/conc.err"
    done
}
reader() {
    for i in $(seq 1 60); do
        "$CTL" -c "$C" account C-1001 --json >/dev/null 2>>"$T/conc.err" || echo "reader failed" >>"$T/conc.err"
    done
}
: >"$T/conc.err"
writer a & writer b & reader & wait
check "concurrent readers and writers all succeeded" [ ! -s "$T/conc.err" ]
[ -s "$T/conc.err" ] && sed 's/^/# /' "$T/conc.err" | head -5
n=$(sqlite3 "$T/ardent.db" "SELECT count(*) FROM invoices WHERE id LIKE 'W%'")
check "both writers' rows are there ($n)" [ "$n" = 400 ]

# a writer holding the lock past the timeout gives a clear error, not a hang
sqlite3 "$T/ardent.db" "BEGIN IMMEDIATE; SELECT 1; $(printf 'SELECT count(*) FROM invoices a, invoices b, invoices c;%.0s' 1 2 3)" >/dev/null &
sleep 0.3
expect_rc 1 "a store locked past busy_timeout fails with exit 1" "$CTL" -c "$C" -o store.busy_timeout_ms=100 import customers "$TOP/contrib/sample/customers.csv"
check "and says the store is locked" grep -q "locked" "$T/err"
wait

# configuration errors name the file, the group and the key
printf '[store]\npath = x.db\ncolour = blue\n' >"$T/bad1.conf"
expect_rc 2 "unknown key" "$CTL" -c "$T/bad1.conf" account C1
check "names file, group and key" grep -q "bad1.conf: \[store\] colour: unknown key" "$T/err"
printf '[stroe]\npath = x.db\n' >"$T/bad2.conf"
expect_rc 2 "unknown group" "$CTL" -c "$T/bad2.conf" account C1
check "names the group" grep -q "\[stroe\] path: unknown group" "$T/err"
printf '[milter]\non_error = maybe\n' >"$T/bad3.conf"
expect_rc 2 "bad enum value" "$CTL" -c "$T/bad3.conf" account C1
check "says which key and value" grep -q "\[milter\] on_error: not one of the allowed values (got \"maybe\")" "$T/err"
printf '[store]\nbusy_timeout_ms = soon\n' >"$T/bad4.conf"
expect_rc 2 "bad number" "$CTL" -c "$T/bad4.conf" account C1
expect_rc 2 "bad -o override" "$CTL" -c "$C" -o agent.from=nobody account C1
check "the override's key is named" grep -q "\[agent\] from: not an e-mail address" "$T/err"
expect_rc 2 "malformed -o" "$CTL" -c "$C" -o storepath account C1
expect_rc 2 "missing configuration file" "$CTL" -c "$T/none.conf" account C1
expect_rc 2 "bad --date" "$CTL" -c "$C" --date 2026-02-29 account C-1001
expect_rc 0 "relative store path resolves against the configuration's folder" \
    bash -c "cd / && printf '[store]\npath = rel.db\n' >'$T/rel.conf' && '$CTL' -c '$T/rel.conf' import customers '$TOP/contrib/sample/customers.csv'"
check "the store landed beside the configuration" [ -f "$T/rel.db" ]
# commands that only read never create a store: a mistyped --db is an error
# naming the missing store, and neither it nor its folder is left behind
miss="$T/typo/ardnet.db"
for cmd in "$CTL account C-1001" "$CTL queue" "$AGENT plan" "$AGENT report" \
           "$AGENT digest --maildir $T/typo-dg -o agent.from=ar@example.com"; do
    name=$(basename "${cmd%% *}")
    name="$name $(echo "${cmd#* }" | cut -d' ' -f1)"
    expect_rc 1 "$name on a missing store fails" $cmd -c "$C" --db "$miss" --date 2026-03-02
    check "$name names the missing store" grep -q "$miss: no such store" "$T/err"
    check "$name creates neither the store nor its folder" [ ! -e "$T/typo" ]
done
expect_rc 0 "import still creates a new store and its folder" \
    "$CTL" -c "$C" --db "$T/fresh/new.db" import customers "$TOP/contrib/sample/customers.csv"
check "the new store is there" [ -f "$T/fresh/new.db" ]
expect_rc 0 "and the commands that read it now work" "$CTL" -c "$C" --db "$T/fresh/new.db" account C-1001

expect_rc 0 "--version" "$CTL" --version
expect_rc 2 "unknown command" "$CTL" frobnicate
expect_rc 0 "--help" "$CTL" --help
done_testing
