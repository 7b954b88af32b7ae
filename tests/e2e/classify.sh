#!/bin/bash
# ardentctl classify with the shipped models on replies written for the test
# (tests/fixtures/classify), and ardentctl train -> classify on a tiny corpus
# the script writes. Missing shipped models fail the test: they are part of
# the product.
. "$(dirname "$0")/lib.sh"
FIX="$TOP/tests/fixtures/classify"
CONF="$TOP/conf/ardent.conf"

for f in intent.model sentiment.model features.meta; do
    check "shipped models/$f exists" test -s "$TOP/models/$f"
done

expect_rc 0 "classify three replies" "$CTL" -c "$CONF" classify \
    "$FIX/promise.eml" "$FIX/out-of-office.eml" "$FIX/dispute.eml"
cp "$T/out" "$T/three"
check "one JSON line per file" json "$T/three" 'len(rows) == 3'
check "the contract's keys" json "$T/three" 'all(set(["file","intent","intent_confidence","sentiment","sentiment_confidence","auto_reply","promise_date","return_date","invoices","language","text","kind","attachments","truncated"]) <= set(x) for x in rows)'
check "promise: intent" json "$T/three" 'rows[0]["intent"] == "promise_to_pay" and rows[0]["intent_confidence"] >= 0.45'
check "promise: date resolved against Date:" json "$T/three" 'rows[0]["promise_date"] == "2026-03-13"'
check "promise: invoice, language, not an auto-reply" json "$T/three" 'rows[0]["invoices"] == ["INV-20417"] and rows[0]["language"] == "en" and rows[0]["auto_reply"] is False'
check "promise: quoted history not in text" json "$T/three" '"wrote:" not in rows[0]["text"] and "we will pay" in rows[0]["text"]'
check "out-of-office: auto_reply by header" json "$T/three" 'rows[1]["intent"] == "auto_reply" and rows[1]["auto_reply"] is True and rows[1]["kind"] == "auto_reply" and rows[1]["intent_confidence"] == 1.0'
check "out-of-office: neutral, return date, no promise" json "$T/three" 'rows[1]["sentiment"] == "neutral" and rows[1]["return_date"] == "2026-03-20" and rows[1]["promise_date"] is None'
check "dispute in French" json "$T/three" 'rows[2]["intent"] == "dispute" and rows[2]["language"] == "fr" and rows[2]["invoices"] == ["F-2026-118"]'
check "confidences are probabilities" json "$T/three" 'all(0 <= x["intent_confidence"] <= 1 and 0 <= x["sentiment_confidence"] <= 1 for x in rows)'

# Replies that carry several intents report the first in the contract's order.
expect_rc 0 "classify replies with two intents" "$CTL" -c "$CONF" classify \
    "$FIX/paid-and-copy.eml" "$FIX/plan-and-dispute.eml" "$FIX/promise-and-contact.eml" \
    "$FIX/promise-and-copy.eml" "$TOP/tests/fixtures/mail/inline-de.eml"
check "two intents: the first in the contract's order" json "$T/out" '[x["intent"] for x in rows] == ["paid", "dispute", "promise_to_pay", "promise_to_pay", "dispute"]'

expect_rc 0 "classify - reads stdin" sh -c "'$CTL' -c '$CONF' classify - < '$FIX/promise.eml'"
check "stdin gives the same reading" json "$T/out" 'r["file"] == "-" and r["intent"] == "promise_to_pay"'

# Without a Date: header, --date is the reference day.
sed '/^Date:/d' "$FIX/promise.eml" > "$T/nodate.eml"
expect_rc 0 "classify without Date:" "$CTL" -c "$CONF" --date 2026-04-01 classify "$T/nodate.eml"
check "--date resolves Friday" json "$T/out" 'r["promise_date"] == "2026-04-03"'

expect_rc 2 "classify without files is bad usage" "$CTL" -c "$CONF" classify
expect_rc 2 "a missing file is bad input" "$CTL" -c "$CONF" classify "$T/nope.eml"
expect_rc 1 "missing models fail the work" "$CTL" -c "$CONF" -o classify.models="$T/none" classify "$FIX/promise.eml"
check "the error says to train" grep -q "ardentctl train" "$T/err"
expect_rc 2 "a bad threshold is bad configuration" "$CTL" -c "$CONF" -o classify.min_confidence=2 classify "$FIX/promise.eml"
check "the error names the key, not the file, for a value given with -o" \
    bash -c "grep -q \"classify.min_confidence: '2' is not a number from 0 to 1\" '$T/err' && ! grep -q '$CONF' '$T/err'"

# train -> classify round trip on a tiny corpus.
mkdir -p "$T/corpus"
python3 - "$T/corpus/tiny.jsonl" <<'PY'
import json, sys
phr = {
 "dispute": ["we dispute invoice {n}, the goods arrived damaged", "invoice {n} is wrong, we never ordered this"],
 "payment_plan": ["can we pay {n} in three monthly instalments", "we propose a payment plan for {n}"],
 "promise_to_pay": ["we will pay {n} on Friday", "{n} will be paid next week"],
 "paid": ["we paid {n} yesterday, remittance attached", "{n} was paid last week by bank transfer"],
 "invoice_request": ["please send us a copy of invoice {n}", "could you resend {n} with our PO number"],
 "wrong_contact": ["I no longer work here, write to ap@example.com about {n}", "wrong person, contact our finance team about {n}"],
 "auto_reply": ["I am out of the office until Monday (ref {n})", "we received your request {n}, a ticket was opened"],
 "other": ["who is this and why do you write to me ({n})", "we will look into it ({n})"],
}
tone = {"negative": "This is unacceptable.", "neutral": "Regards.", "positive": "Thank you so much, lovely!"}
i = 0
with open(sys.argv[1], "w") as f:
    for intent, ps in phr.items():
        for k in range(8):
            s = "neutral" if intent == "auto_reply" else ["negative", "neutral", "positive"][k % 3]
            text = ps[k % 2].format(n="INV-%d" % (4000 + 17 * i)) + ". " + tone[s]
            f.write(json.dumps({"id": "e2e-%03d" % i, "lang": "en", "intent": intent, "sentiment": s,
                "date": "2026-03-10", "promise_date": None, "return_date": None,
                "subject": "Re: reminder", "text": text}) + "\n")
            i += 1
PY
expect_rc 0 "train on a tiny corpus" "$CTL" -c "$CONF" train --corpus "$T/corpus" --out "$T/models"
check "train reports the split" grep -q "of 64 records" "$T/out"
check "train writes a progress line on stderr" grep -q "cross-validated" "$T/err"
for f in intent.model sentiment.model features.meta; do
    check "train wrote $f" test -s "$T/models/$f"
done
cat > "$T/paid.eml" <<'EOM'
From: a@example.com
To: ar@example.com
Subject: Re: reminder
Date: Tue, 10 Mar 2026 10:00:00 +0000

We paid INV-9999 yesterday, remittance attached. Thank you so much, lovely!
EOM
expect_rc 0 "classify with the trained models" "$CTL" -c "$CONF" -o classify.models="$T/models" classify "$T/paid.eml"
check "round trip: paid and positive" json "$T/out" 'r["intent"] == "paid" and r["sentiment"] == "positive"'
expect_rc 0 "eval on the tiny corpus" "$CTL" -c "$CONF" -o classify.models="$T/models" eval --corpus "$T/corpus" --write
check "eval reports macro-F1" grep -q "intent macro-F1" "$T/out"
check "eval --write writes EVAL.md" grep -q "auto-reply recall" "$T/models/EVAL.md"
expect_rc 2 "train on a corpus with a bad record" sh -c "echo '{\"id\":\"x\"}' > '$T/corpus/bad.jsonl'; '$CTL' -c '$CONF' train --corpus '$T/corpus' --out '$T/m2'"
check "the bad line is named" grep -q "bad.jsonl:1" "$T/err"
check "nothing written on failure" test ! -e "$T/m2/intent.model"

done_testing
