#!/bin/bash
# Runs ardent's libFuzzer harnesses one after another (the build machines
# have two shared cores), each for SECONDS on its seed corpus, and prints
# executions per second, coverage and any crash. Usage:
#   fuzz/run.sh BUILD_DIR SECONDS TARGET...
# Must never write into the source tree: the growing corpus, logs and crash
# inputs stay under BUILD_DIR; seeds are read where they live.
set -u
cd "$(dirname "$0")/.."
build=$1 seconds=$2; shift 2
status=0
for t in "$@"; do
    bin="$build/fuzz_$t"
    work="$build/corpus/$t"
    crashes="$build/crashes/$t"
    log="$build/fuzz-$t.log"
    mkdir -p "$work" "$crashes"
    seeds=()
    case "$t" in
    message) maxlen=262144; seeds+=(tests/fixtures/mail tests/fixtures/classify) ;;
    import)  maxlen=65536;  seeds+=(fuzz/corpus/import)
             # the sample export, each file behind the byte that picks its kind
             for k in customers:0 invoices:1 payments:2; do
                 f=contrib/sample/${k%%:*}.csv
                 [ -e "$f" ] && { printf '%s' "${k##*:}"; cat "$f"; } >"$work/sample-${k%%:*}"
             done ;;
    render)  maxlen=16384;  [ -d conf/templates ] && seeds+=(conf/templates) ;;
    *)       maxlen=65536 ;;
    esac
    [ -d "fuzz/regressions/$t" ] && seeds+=("fuzz/regressions/$t")
    echo "== fuzz_$t: ${seconds}s, max_len $maxlen, seeds: ${seeds[*]:-none}"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$bin" -max_total_time="$seconds" -max_len="$maxlen" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$work" "${seeds[@]}" >"$log" 2>&1
    rc=$?
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    execs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')
    rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')
    echo "   $last"
    echo "   executions: ${execs:-?}, per second: ${rate:-?}, exit $rc"
    if [ "$rc" != 0 ]; then
        status=1
        echo "   FINDING — log: $log, inputs: $crashes/"
        grep -E 'ERROR: |SUMMARY|fuzz invariant failed|runtime error' "$log" | head -5 | sed 's/^/   /'
        ls "$crashes" | head -5 | sed 's/^/   /'
    fi
done
exit $status
