#!/bin/bash
# Every program's man page documents every option its --help (and each
# command's --help) shows, ardent.conf(5) documents every configuration key,
# and mandoc -T lint finds nothing to say about any page.
. "$(dirname "$0")/lib.sh"
MAN="$TOP/contrib/man"

for page in "$MAN"/*.[0-9]; do
    check "mandoc -T lint is clean: $(basename "$page")" \
        bash -c "[ -z \"\$(mandoc -T lint -W warning '$page' 2>&1)\" ]"
done

# page, program, commands
documents() {
    local page=$1 prog=$2; shift 2
    check "$(basename "$page") exists" [ -f "$page" ]
    local text="$T/$(basename "$page").txt"
    mandoc -T ascii "$page" 2>/dev/null | col -b >"$text"
    for cmd in "" "$@"; do
        local opts
        opts=$("$prog" $cmd --help 2>/dev/null | grep -oE '^ +(-[a-zA-Z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+' | sort -u)
        [ -n "$opts" ] || { notok "$(basename "$prog") ${cmd:+$cmd }--help lists options"; continue; }
        for opt in $opts; do
            check "$(basename "$page") documents ${cmd:+$cmd }$opt" grep -q -- "$opt" "$text"
        done
        [ -n "$cmd" ] && check "$(basename "$page") describes $cmd" grep -qE "^ +$cmd( |$)" "$text"
    done
}
ctl_cmds=$("$CTL" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
agent_cmds=$("$AGENT" --help | sed -n '/^Commands:/,/^$/p' | awk 'NR>1 && NF {print $1}')
documents "$MAN/ardentctl.1" "$CTL" $ctl_cmds
documents "$MAN/ardent-agent.8" "$AGENT" $agent_cmds
documents "$MAN/ardent-milter.8" "$MILTER"

# every configuration key, under its group, in ardent.conf(5)
mandoc -T ascii "$MAN/ardent.conf.5" 2>/dev/null | col -b >"$T/conf.txt"
keys=$(grep -oE '^ *\{"[a-z_]+", "[a-z_]+"' "$TOP/lib/config_keys.c" | grep -oE '"[a-z_]+", "[a-z_]+"' | tr -d '" ' | tr ',' '.')
check "the key table was read" [ -n "$keys" ]
for k in $keys; do
    check "ardent.conf(5) documents $k" grep -qE -- "(^|[^a-z_])${k#*.}([^a-z_]|$)" "$T/conf.txt"
done
"$TOP/contrib/man/gen-conf5" "$TOP/conf/ardent.conf" >"$T/conf.5"
check "ardent.conf(5) is generated from conf/ardent.conf (run contrib/man/gen-conf5)" \
    cmp -s "$T/conf.5" "$MAN/ardent.conf.5"
check "the cron entry runs the agent" grep -q "ardent-agent .* run" "$TOP/contrib/cron/ardent"
done_testing
