#!/bin/bash
# The man page documents every option ardent-agent --help shows, and
# mandoc -T lint finds nothing to say about it.
. "$(dirname "$0")/lib.sh"
man="$TOP/contrib/man/ardent-agent.8"
if command -v mandoc >/dev/null; then
    check "mandoc -T lint is clean" bash -c "[ -z \"\$(mandoc -T lint '$man' 2>&1)\" ]"
else
    ok "# SKIP mandoc is not installed"
fi
for cmd in "" plan run report digest; do
    for opt in $("$AGENT" $cmd --help | grep -oE '^ +(-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
        check "man page documents ${cmd:+$cmd }$opt" grep -q -- "Fl -\?${opt#--}\b" "$man"
    done
done
for cmd in plan run report digest; do
    check "man page describes $cmd" grep -q "^\.It Cm $cmd" "$man"
done
check "the cron entry runs the agent" grep -q "ardent-agent .* run" "$TOP/contrib/cron/ardent"
done_testing
