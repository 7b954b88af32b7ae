#!/bin/bash
# make demo: six simulated weeks of ardent on the sample ERP export. The
# agent runs each business day into a Maildir; scripted customer replies
# answer its real messages through the milter attached to a private Postfix
# on loopback (or through `ardentctl ingest` when Postfix cannot be started).
# Everything lives in var/demo/, made fresh each time; nothing else is touched.
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$PWD
B=${ARDENT_BUILD:-$TOP/build}
DEMO=$TOP/var/demo
START=2026-03-02

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

rm -rf "$DEMO"
mkdir -p "$DEMO"
SMTP_PORT=$(free_port)
MILTER_PORT=$(free_port)
cat >"$DEMO/ardent.conf" <<EOC
# The demo's configuration: see conf/ardent.conf for every key.
[store]
path = ardent.db
[agent]
from = ar@supplier.example
from_name = Accounts Receivable, Example Supplies
default_owner = carla@collect.example.com
token_secret = demo-only-secret-change-me
templates = $TOP/conf/templates
relay = 127.0.0.1:$SMTP_PORT
[milter]
socket = inet:$MILTER_PORT@127.0.0.1
receivables = ar@supplier.example
collector_domains = collect.example.com
[classify]
models = $TOP/models
EOC
CTL="$B/ardentctl -c $DEMO/ardent.conf"
AGENT="$B/ardent-agent -c $DEMO/ardent.conf"

echo "== ardent demo: six weeks from $START on the sample ERP export (contrib/sample)"
for kind in customers invoices; do
    printf '   import %-10s ' "$kind"
    $CTL --date $START import "$kind" "contrib/sample/$kind.csv"
done

MODE=ingest
cleanup() {
    [ "$MODE" = postfix ] && pf_stop >/dev/null 2>&1
    return 0
}
trap cleanup EXIT
if [ "$(id -u)" = 0 ] && command -v postfix >/dev/null; then
    . tests/e2e/postfix.sh
    if pf_start "$DEMO/postfix" "$SMTP_PORT" ar@supplier.example alice@collect.example.com \
            bob@collect.example.com carla@collect.example.com >"$DEMO/postfix.log" 2>&1 &&
       pf_milter "inet:127.0.0.1:$MILTER_PORT" >>"$DEMO/postfix.log" 2>&1; then
        MODE=postfix
        echo "   replies go through ardent-milter attached to a private Postfix on 127.0.0.1:$SMTP_PORT"
    else
        echo "   could not start a private Postfix (see $DEMO/postfix.log): replies go through ardentctl ingest"
    fi
else
    echo "   not root, so no private Postfix: replies go through 'ardentctl ingest', the milter's own pipeline"
fi
echo

if [ "$MODE" = postfix ]; then
    python3 contrib/demo/play.py --build "$B" --demo "$DEMO" --conf "$DEMO/ardent.conf" \
        --smtp "$SMTP_PORT" --maildir "$(pf_maildir ar@supplier.example)" --start $START \
        --milter "$B/ardent-milter -c $DEMO/ardent.conf -f" --milter-port "$MILTER_PORT"
else
    python3 contrib/demo/play.py --build "$B" --demo "$DEMO" --conf "$DEMO/ardent.conf" --start $START
fi
END=$(date -d "$START + 41 days" +%F)

echo
echo "== Collectors' queue on $END"
$CTL --date "$END" queue >"$DEMO/queue.txt"
head -12 "$DEMO/queue.txt"
echo "   ... $(wc -l <"$DEMO/queue.txt") items in all ($DEMO/queue.txt)"
echo
echo "== Report on $END"
$AGENT report --date "$END" --format text
$AGENT report --date "$END" --format html >"$DEMO/report.html"
echo
echo "Where to look:"
echo "  automated messages (one Maildir, as customers received them): $DEMO/outbox/new/"
echo "  collectors' digests:                                          $DEMO/collectors/new/"
if [ "$MODE" = postfix ]; then
    echo "  replies as Postfix delivered them, with X-Ardent-* headers:   $(pf_maildir ar@supplier.example)/new/"
    echo "  escalations routed to collectors:                             $DEMO/postfix/mail/<collector>/new/"
fi
echo "  the HTML report:                                              $DEMO/report.html"
echo "  the store:  $CTL account C-1001"
