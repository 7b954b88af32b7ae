# Shared helpers for ardent's end-to-end scripts: TAP output, a temporary
# folder per script, the programs under test. Source it; never run it.
set -u
: "${ARDENT_BUILD:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CTL="$ARDENT_BUILD/ardentctl"
AGENT="$ARDENT_BUILD/ardent-agent"
MILTER="$ARDENT_BUILD/ardent-milter"
T=$(mktemp -d /tmp/ardent-e2e.XXXXXX)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT
_n=0
ok()   { _n=$((_n + 1)); echo "ok $_n - $*"; }
notok(){ _n=$((_n + 1)); echo "not ok $_n - $*"; }
# check DESCRIPTION COMMAND...: passes when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# expect_rc RC DESCRIPTION COMMAND...: passes when the command exits with RC
expect_rc() {
    local want=$1 d=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    if [ "$rc" = "$want" ]; then ok "$d"; else
        notok "$d (exit $rc, wanted $want)"; sed 's/^/# /' "$T/err" | head -5; fi
}
# json FILE PYEXPR: evaluates a python expression over the JSON lines in FILE
# (bound to "rows", a list, and "r", the first) and passes when it is true.
json() {
    python3 - "$1" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = rows[0] if rows else None
ok = eval(sys.argv[2])
if not ok:
    print("# json check failed: " + sys.argv[2], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
conf() {  # a configuration file for a store in $T
    cat >"$T/ardent.conf" <<EOC
[store]
path = $T/ardent.db
EOC
    echo "$T/ardent.conf"
}
# milter_conf STORE PORT SECRET [STORE_LINES [AGENT_LINES]]: the configuration
# the tests with a real Postfix share: the store at STORE, the milter on
# 127.0.0.1:PORT for ar@collect.example.com, the agent sending as it with
# SECRET; each test's own keys for [store] and [agent] come last.
milter_conf() {
    cat <<EOC
[store]
path = $1
${4:-}
[milter]
socket = inet:$2@127.0.0.1
receivables = ar@collect.example.com
collector_domains = collect.example.com
[agent]
token_secret = $3
from = ar@collect.example.com
default_owner = desk@collect.example.com
${5:-}
[classify]
models = $TOP/models
EOC
}
# A TCP port on 127.0.0.1 that nothing listens on right now.
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
done_testing() { echo "1..$_n"; }
