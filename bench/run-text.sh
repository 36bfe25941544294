#!/usr/bin/env bash
# Text-dump benchmark: goroscope against gostackparse and panicparse on the
# same ~100 MB debug=2 goroutine dump of 2,000 call paths, then against
# gostackparse on a ~130 MB dump of 60,000 distinct stacks over 600,000
# distinct frames (a large monolith's). See bench/README.md.
#
# usage: bench/run-text.sh [GOROSCOPE_BINARY]     (default: ./goroscope, relative to the repo root)
#
# Environment: RUNS (default 3) runs per tool; SIZE_MB (default 100) dump size;
# PEER_TIMEOUT (default 300) seconds allowed per peer run; PIN=1 runs every tool
# under `taskset -c 0` (one core); MANY=0 leaves the many-stacks dump out;
# MANY_PANICPARSE=1 runs panicparse on it too (over ten minutes a run).
# Prints a Markdown report on stdout; progress goes to stderr.
set -euo pipefail

runs=${RUNS:-3}
size_mb=${SIZE_MB:-100}
peer_timeout=${PEER_TIMEOUT:-300}
many=${MANY:-1}
many_pp=${MANY_PANICPARSE:-0}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

command -v go >/dev/null || die "go is not installed (needed to build the generator and the peers)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is not installed"

# --- build ------------------------------------------------------------------
log "building generator and peers into bench/.build/"
(cd "$bench/gen" && go build -o "$build/bigdump" ./bigdump)
[[ $many == 0 ]] || (cd "$bench/gen" && go build -o "$build/monolith-gen" ./monolith)
(cd "$bench/peers/gostackparse" && go build -o "$build/gostackparse-bench" .)
(cd "$bench/peers/panicparse" && go build -o "$build/panicparse-bench" .)
gsp_ver=$(cd "$bench/peers/gostackparse" && go list -m -f '{{.Path}} {{.Version}}' github.com/DataDog/gostackparse)
pp_ver=$(cd "$bench/peers/panicparse" && go list -m -f '{{.Path}} {{.Version}}' github.com/maruel/panicparse/v2)

# --- data -------------------------------------------------------------------
dump=$data/bigdump-${size_mb}MB.txt
info=$dump.info
if [[ ! -s $dump || ! -s $info ]]; then
    log "generating $dump (about $size_mb MB; takes a few seconds)"
    "$build/bigdump" -size "$size_mb" -o "$dump.tmp" \
        -pprof "$data/bigdump-${size_mb}MB.pb.gz" \
        -debug1 "$data/bigdump-${size_mb}MB.debug1.txt" \
        -truncated "$data/bigdump-${size_mb}MB.truncated.txt" \
        >"$info.tmp" 2>"$data/bigdump.log" || die "generator failed, see $data/bigdump.log"
    mv "$dump.tmp" "$dump"
    sed 's|^file=[^ ]* |file=bench/.data/'"$(basename "$dump")"' |' "$info.tmp" >"$info"
    rm -f "$info.tmp"
fi
many_dump=$data/monolith-60000.txt
many_info=$many_dump.info
if [[ $many != 0 && (! -s $many_dump || ! -s $many_info) ]]; then
    log "generating $many_dump (writes a Go program of 4,000 functions into bench/.build/monolith/," \
        "builds it and runs it: about a minute)"
    "$build/monolith-gen" -src "$build/monolith" -stacks 60000 -o "$many_dump.tmp" \
        >"$many_info.tmp" 2>"$data/monolith.log" || die "generator failed, see $data/monolith.log"
    mv "$many_dump.tmp" "$many_dump"
    sed 's|^file=[^ ]* |file=bench/.data/'"$(basename "$many_dump")"' |' "$many_info.tmp" >"$many_info"
    rm -f "$many_info.tmp"
fi
fact() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2"; }

# --- measure ----------------------------------------------------------------
declare -A counts
peer_counts() { # NAME FILE: "goroutines N groups M" line
    counts[$1]=$(sed -n 's/^goroutines \([0-9]*\) groups \([0-9]*\).*/\1 \2/p' "$2" | head -n1)
}

have_goroscope=0
[[ -x $bin ]] && have_goroscope=1

# measure_dump FILE PANICPARSE: every tool on FILE (panicparse when
# PANICPARSE is 1), into fresh rows.
measure_dump() {
    local dump=$1 with_pp=$2 c
    rows=()
    counts=()
    best=() median=() rss=() status=()
    json_bytes=0
    cat "$dump" >/dev/null # warm the page cache: every tool reads from memory
    if [[ $have_goroscope == 1 ]]; then
        log "goroscope: $bin on $dump"
        measure "goroscope show" /dev/null "$bin" show "$dump"
        measure "goroscope show -f json" /dev/null "$bin" show -f json "$dump"
        # DESIGN.md section 7 asks for 1 GB/s on one core.
        measure "goroscope show, one thread" /dev/null env GOROSCOPE_THREADS=1 "$bin" show "$dump"
        # Untimed runs that give goroscope's goroutine and group counts: the text
        # header ("N goroutines in M groups") and the JSON document.
        if "$bin" show "$dump" >"$tmp/goroscope.txt" 2>/dev/null; then
            counts["goroscope show"]=$(head -n 5 "$tmp/goroscope.txt" |
                sed -n 's/.* \([0-9][0-9]*\) goroutines in \([0-9][0-9]*\) groups.*/\1 \2/p' | head -n1)
            # The answer is the same on any number of threads (tests/threads.sh).
            counts["goroscope show, one thread"]=${counts["goroscope show"]}
        fi
        if "$bin" show -f json "$dump" >"$tmp/goroscope.json" 2>"$tmp/goroscope.json.err"; then
            c=$(python3 - "$tmp/goroscope.json" 2>/dev/null <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
groups = d.get("groups", [])
total = None
for inp in d.get("inputs", []) or []:
    for k, v in inp.items():
        if "goroutine" in k and isinstance(v, int):
            total = v
if total is None:
    total = 0
    for g in groups:
        c = g.get("counts") or [g.get("count", 0)]
        total += c[-1] if isinstance(c, list) and c else 0
print(total, len(groups))
PY
)
            counts["goroscope show -f json"]=$c
            json_bytes=$(stat -c %s "$tmp/goroscope.json")
        fi
        rm -f "$tmp/goroscope.txt" "$tmp/goroscope.json"
    else
        log "goroscope: not built ($bin)"
    fi
    measure gostackparse "$tmp/gostackparse.out" timeout "$peer_timeout" "$build/gostackparse-bench" "$dump"
    peer_counts gostackparse "$tmp/gostackparse.out"
    if [[ $with_pp == 1 ]]; then
        measure panicparse "$tmp/panicparse.out" timeout "$peer_timeout" "$build/panicparse-bench" "$dump"
        peer_counts panicparse "$tmp/panicparse.out"
    fi
}

# --- report -----------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

# report_dump FILE: the table of the rows just measured on FILE, then the
# ratios and targets.
report_dump() {
    local dump=$1 bytes name b m r cg cgr mbs rmb g gb verdict pb target x limit_kb
    bytes=$(stat -c %s "$dump")
    echo "| tool | best s | median s | MB/s (best) | peak RSS MiB | goroutines | groups | status |"
    echo "|---|--:|--:|--:|--:|--:|--:|---|"
    for name in "${rows[@]}"; do
        b=${best[$name]} m=${median[$name]} r=${rss[$name]}
        read -r cg cgr <<<"${counts[$name]:-? ?}" || true
        if [[ -n $b ]]; then
            mbs=$(awk -v s="$bytes" -v t="$b" 'BEGIN { printf "%.0f", s / 1e6 / t }')
            rmb=$(awk -v k="$r" 'BEGIN { printf "%.0f", k / 1024 }')
            printf '| %s | %.3f | %.3f | %s | %s | %s | %s | %s |\n' "$name" "$b" "$m" "$mbs" "$rmb" "${cg:-?}" "${cgr:-?}" "${status[$name]}"
        else
            printf '| %s | - | - | - | - | - | - | %s |\n' "$name" "${status[$name]}"
        fi
    done
    [[ $have_goroscope == 1 ]] || return 0
    echo
    echo "Ratios and targets (DESIGN.md section 7):"
    echo
    limit_kb=$((bytes / 1024 + 64 * 1024))
    g="goroscope show, one thread"
    if [[ -n ${best[$g]:-} ]]; then
        mbs=$(awk -v s="$bytes" -v t="${best[$g]}" 'BEGIN { printf "%.0f", s / 1e6 / t }')
        verdict=$(awk -v x="$mbs" 'BEGIN { print (x >= 1000) ? "met" : "NOT met" }')
        echo "- $g (GOROSCOPE_THREADS=1): $mbs MB/s (target >= 1000 MB/s on one core: $verdict)"
    fi
    for g in "goroscope show" "goroscope show -f json"; do
        gb=${best[$g]:-}
        if [[ -z $gb ]]; then
            echo "- $g: ${status[$g]}"
            continue
        fi
        mbs=$(awk -v s="$bytes" -v t="$gb" 'BEGIN { printf "%.0f", s / 1e6 / t }')
        echo "- $g: $mbs MB/s on $(nproc) cores"
        for peer in gostackparse panicparse; do
            [[ -n ${status[$peer]:-} ]] || continue
            pb=${best[$peer]:-}
            [[ -n $pb ]] || { echo "  - vs $peer: no peer time (${status[$peer]})"; continue; }
            target=10
            [[ $peer == panicparse ]] && target=100
            x=$(ratio "$pb" "$gb")
            verdict=$(awk -v x="$x" -v t="$target" 'BEGIN { print (x >= t) ? "met" : "NOT met" }')
            echo "  - vs $peer: ${x}x faster (target >= ${target}x: $verdict)"
        done
        r=${rss[$g]}
        verdict=$([[ $r -le $limit_kb ]] && echo met || echo "NOT met")
        echo "  - peak RSS $((r / 1024)) MiB (target <= input + 64 MiB = $((limit_kb / 1024)) MiB: $verdict)"
    done
    # JSON: the same groups with their stacks, written as they go.
    g="goroscope show -f json"
    if [[ -n ${best[$g]:-} && -n ${best["goroscope show"]:-} ]]; then
        x=$(ratio "${best[$g]}" "${best["goroscope show"]}")
        verdict=$(awk -v x="$x" 'BEGIN { print (x <= 3) ? "met" : "NOT met" }')
        echo "- JSON against text: ${x}x the time of \`show\` (target <= 3x: $verdict)"
        r=$(((${rss[$g]} - ${rss["goroscope show"]}) / 1024))
        verdict=$([[ $r -le 16 || $((r * 1024 * 1024 * 4)) -le ${json_bytes:-0} ]] && echo met || echo "NOT met")
        echo "  - streamed: peak RSS $r MiB over \`show\`'s for a document of" \
            "$(awk -v b="${json_bytes:-0}" 'BEGIN { printf "%.1f", b / 1e6 }') MB" \
            "(target: at most 16 MiB or a quarter of the document: $verdict)"
    fi
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "## Text dump benchmark"
echo
echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}; $(go version | awk '{print $3}')${PIN:+; every tool pinned to core 0}"
echo "- peers: $gsp_ver, $pp_ver (GuessPaths and AnalyzeSources off, Aggregate(AnyPointer))"
echo "- $runs runs per tool, page cache warm; wall time from the shell clock, peak RSS from one more run under GNU time; MB = 10^6 bytes, MiB = 2^20"
[[ $have_goroscope == 1 ]] || echo "- goroscope: not built ($bin)"

measure_dump "$dump" 1
echo
echo "### $(basename "$dump"): $(awk -v b="$(stat -c %s "$dump")" 'BEGIN { printf "%.1f", b / 1e6 }') MB, 2,000 call paths"
echo
echo "Input: \`bench/.data/$(basename "$dump")\`, $(stat -c %s "$dump") bytes, generated by bench/gen/bigdump:" \
    "$(fact goroutines "$info") goroutines, $(fact groups "$info") groups (state + frames + created-by)," \
    "$(fact stacks "$info") distinct call paths."
echo
report_dump "$dump"
echo
echo "Ground truth from the generator: $(fact goroutines "$info") goroutines, $(fact groups "$info") groups by state + frames +" \
    "created-by, as gostackparse groups. goroscope keys on the frames from the blocking frame out and the state class" \
    "(goroscope(1), --group-by), so goroutines of one call path blocked in different runtime frames (IO wait, and semacquire" \
    "on the same file's lock) are one group: one per call path, plus main. panicparse's" \
    "AnyPointer still tells apart goroutines whose non-pointer argument words differ (e.g. \`0x0?\` vs \`0x1\`), so it reports more groups."

if [[ $many != 0 ]]; then
    measure_dump "$many_dump" "$many_pp"
    echo
    echo "### $(basename "$many_dump"): $(awk -v b="$(stat -c %s "$many_dump")" 'BEGIN { printf "%.1f", b / 1e6 }') MB, many distinct stacks"
    echo
    echo "Input: \`bench/.data/$(basename "$many_dump")\`, $(stat -c %s "$many_dump") bytes, generated by bench/gen/monolith:" \
        "$(fact goroutines "$many_info") goroutines over $(fact stacks "$many_info") distinct stacks," \
        "$(fact groups "$many_info") groups, $(fact frames "$many_info") distinct frames (function + file:line)" \
        "from $(fact funcs "$many_info") functions of $(fact sites "$many_info") call sites each." \
        "panicparse$([[ $many_pp == 1 ]] && echo " is run too" || echo " is left out (over ten minutes a run; MANY_PANICPARSE=1 runs it)")."
    echo
    report_dump "$many_dump"
fi
