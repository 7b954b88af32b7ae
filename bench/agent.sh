#!/bin/bash
# Benchmark of ardent-agent at scale (not part of make check):
#   bench/agent.sh [CUSTOMERS] [INVOICES_PER_CUSTOMER] [WORKDIR]
# Generates an ERP export (tests/gen-erp when present, else bench/gen-erp.py),
# imports it, then times `plan` and `run --maildir` with /usr/bin/time -v.
# Targets: plan < 10 s and peak RSS < 512 MB; run --maildir < 60 s.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-100000}
per=${2:-10}
w=${3:-$(mktemp -d /tmp/ardent-bench.XXXXXX)}
day=2026-06-30
mkdir -p "$w"
cat >"$w/ardent.conf" <<EOC
[store]
path = $w/ardent.db
[agent]
from = ar@example.com
token_secret = bench-secret
default_owner = collections@example.com
templates = $top/conf/templates
max_data_age_hours = 0
EOC
C="$w/ardent.conf"
CTL="$top/build/ardentctl"
AGENT="$top/build/ardent-agent"
measure() {  # label, command...
    local label=$1; shift
    /usr/bin/time -v "$@" 2>"$w/$label.time" >"$w/$label.out" || { tail -5 "$w/$label.time"; return 1; }
    printf '%-22s %8s s wall  %8s KB peak RSS\n' "$label" \
        "$(awk -F': ' '/Elapsed/ {print $2}' "$w/$label.time")" \
        "$(awk -F': ' '/Maximum resident/ {print $2}' "$w/$label.time")"
}
if [ ! -e "$w/customers.csv" ]; then
    echo "generating $n customers x $per invoices in $w"
    python3 "$top/bench/gen-erp.py" "$w" "$n" "$day" "$per"
fi
if [ ! -e "$w/ardent.db" ]; then
    for k in customers invoices payments; do
        measure "import-$k" "$CTL" -c "$C" --date "$day" import "$k" "$w/$k.csv"
    done
fi
echo "store: $(du -h "$w/ardent.db" | cut -f1), $(wc -l <"$w/invoices.csv") invoice rows"
measure plan "$AGENT" -c "$C" --date "$day" plan
echo "plan: $(wc -l <"$w/plan.out") lines, $(grep -c '"action":"send"' "$w/plan.out") to send"
rm -rf "$w/md"
measure run-maildir "$AGENT" -c "$C" --date "$day" run --maildir "$w/md"
echo "run: $(ls "$w/md/new" | wc -l) messages in the Maildir"
measure rerun-maildir "$AGENT" -c "$C" --date "$day" run --maildir "$w/md"
echo "rerun: $(grep -c message_id "$w/rerun-maildir.out" || true) messages sent again (want 0)"
echo "work folder: $w"
