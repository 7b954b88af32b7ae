#!/bin/bash
# make demo: a fresh demo store from the sample ERP export in contrib/sample,
# then what ardent knows about each account. Never touches a store other
# than var/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${ARDENT_BUILD:-build}
DEMO=var/demo
rm -rf "$DEMO"
mkdir -p "$DEMO"
cat >"$DEMO/ardent.conf" <<EOC
[store]
path = ardent.db
EOC
CTL="$B/ardentctl -c $DEMO/ardent.conf --date 2026-03-02"

echo "== Importing the sample ERP export (contrib/sample)"
for kind in customers invoices payments; do
    printf '  %-10s ' "$kind"
    $CTL import "$kind" "contrib/sample/$kind.csv"
done
echo "== Importing it again: nothing changes"
for kind in customers invoices payments; do
    printf '  %-10s ' "$kind"
    $CTL import "$kind" "contrib/sample/$kind.csv"
done

echo
echo "== Accounts on 2026-03-02"
printf '  %-8s %-34s %-9s %-6s %14s  %s\n' customer name segment locale balance "overdue invoices"
cut -d, -f1 contrib/sample/customers.csv | tail -n +2 | while read -r id; do
    $CTL account "$id" --json | python3 -c '
import json, sys
a = json.load(sys.stdin)
over = [i for i in a["open_invoices"] if i["days_overdue"] > 0 and i["open_amount"] > 0]
flag = "  (human only)" if a["human_only"] else ""
bal = "%.2f %s" % (a["balance"], a["currency"] or "")
print("  %-8s %-34.34s %-9s %-6s %14s  %d%s" % (a["customer"], a["name"], a["segment"] or "-",
      a["locale"], bal, len(over), flag))'
done
echo
echo "One account in full:"
$CTL account C-1001
echo
echo "The demo store is $DEMO/ardent.db; try: $B/ardentctl -c $DEMO/ardent.conf account C-1013"
