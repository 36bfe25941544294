#!/usr/bin/env bash
# Text-dump benchmark: goroscope against gostackparse and panicparse on the
# same ~100 MB debug=2 goroutine dump. See bench/README.md.
#
# usage: bench/run-text.sh [GOROSCOPE_BINARY]     (default: ./goroscope, relative to the repo root)
#
# Environment: RUNS (default 3) runs per tool; SIZE_MB (default 100) dump size;
# PEER_TIMEOUT (default 300) seconds allowed per peer run; PIN=1 runs every tool
# under `taskset -c 0` (one core).
# Prints a Markdown report on stdout; progress goes to stderr.
set -euo pipefail

bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$bench")
bin=${1:-./goroscope}
[[ $bin == /* ]] || bin=$root/${bin#./}
runs=${RUNS:-3}
size_mb=${SIZE_MB:-100}
peer_timeout=${PEER_TIMEOUT:-300}
build=$bench/.build
data=$bench/.data
mkdir -p "$build" "$data"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

log() { printf '%s\n' "$*" >&2; }
die() { log "run-text.sh: $*"; exit 1; }

command -v go >/dev/null || die "go is not installed (needed to build the generator and the peers)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is not installed"
pin=()
if [[ ${PIN:-0} == 1 ]]; then pin=(taskset -c 0); fi

# --- build ------------------------------------------------------------------
log "building generator and peers into bench/.build/"
(cd "$bench/gen" && go build -o "$build/bigdump" ./bigdump)
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
fact() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$info"; }
bytes=$(stat -c %s "$dump")
gen_goroutines=$(fact goroutines)
gen_groups=$(fact groups)
gen_stacks=$(fact stacks)
cat "$dump" >/dev/null # warm the page cache: every tool reads from memory

# --- measure ----------------------------------------------------------------
# measure NAME OUTFILE CMD... : runs CMD $runs times (stdout to OUTFILE),
# records wall seconds (bash clock, µs resolution) and max RSS (GNU time).
declare -A best median rss status
rows=()
measure() {
    local name=$1 out=$2
    shift 2
    local walls=() maxrss=0 i t0 t1 rc
    status[$name]=ok
    for ((i = 1; i <= runs; i++)); do
        log "  $name: run $i/$runs"
        t0=$EPOCHREALTIME
        rc=0
        "${pin[@]}" /usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/$name.err" || rc=$?
        t1=$EPOCHREALTIME
        if ((rc != 0)); then
            if ((rc == 124)); then status[$name]="timed out (${peer_timeout}s)"; else status[$name]="failed (exit $rc)"; fi
            log "  $name: ${status[$name]}: $(head -c 300 "$tmp/$name.err")"
            break
        fi
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
        local r
        r=$(awk 'END { print $2 }' "$tmp/time")
        ((r > maxrss)) && maxrss=$r
    done
    rows+=("$name")
    if ((${#walls[@]} == 0)); then
        best[$name]=; median[$name]=; rss[$name]=
        return
    fi
    local sorted
    sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
    best[$name]=$(head -n1 <<<"$sorted")
    median[$name]=$(sed -n "$(((${#walls[@]} + 1) / 2))p" <<<"$sorted")
    rss[$name]=$maxrss
}

declare -A counts
peer_counts() { # NAME FILE: "goroutines N groups M" line
    counts[$1]=$(sed -n 's/^goroutines \([0-9]*\) groups \([0-9]*\).*/\1 \2/p' "$2" | head -n1)
}

have_goroscope=0
if [[ -x $bin ]]; then
    have_goroscope=1
    log "goroscope: $bin"
    measure "goroscope show" /dev/null "$bin" show "$dump"
    measure "goroscope show -f json" /dev/null "$bin" show -f json "$dump"
    # Untimed runs that give goroscope's goroutine and group counts: the text
    # header ("N goroutines in M groups") and the JSON document.
    if "$bin" show "$dump" >"$tmp/goroscope.txt" 2>/dev/null; then
        counts["goroscope show"]=$(head -n 5 "$tmp/goroscope.txt" |
            sed -n 's/.* \([0-9][0-9]*\) goroutines in \([0-9][0-9]*\) groups.*/\1 \2/p' | head -n1)
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
    fi
else
    log "goroscope: not built ($bin)"
fi
measure gostackparse "$tmp/gostackparse.out" timeout "$peer_timeout" "$build/gostackparse-bench" "$dump"
peer_counts gostackparse "$tmp/gostackparse.out"
measure panicparse "$tmp/panicparse.out" timeout "$peer_timeout" "$build/panicparse-bench" "$dump"
peer_counts panicparse "$tmp/panicparse.out"

# --- report -----------------------------------------------------------------
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "## Text dump benchmark"
echo
echo "- input: \`bench/.data/$(basename "$dump")\`, $bytes bytes ($mb MB), generated by bench/gen/bigdump:" \
    "$gen_goroutines goroutines, $gen_groups groups (state + frames + created-by), $gen_stacks distinct call paths"
echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}; $(go version | awk '{print $3}')${PIN:+; every tool pinned to core 0}"
echo "- peers: $gsp_ver, $pp_ver (GuessPaths and AnalyzeSources off, Aggregate(AnyPointer))"
echo "- $runs runs per tool, page cache warm; wall time from the shell clock, peak RSS from GNU time (max over runs); MB = 10^6 bytes, MiB = 2^20"
[[ $have_goroscope == 1 ]] || echo "- goroscope: not built ($bin)"
echo
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
echo
echo "Ground truth from the generator: $gen_goroutines goroutines, $gen_groups groups. panicparse's" \
    "AnyPointer still tells apart goroutines whose non-pointer argument words differ (e.g. \`0x0?\` vs \`0x1\`), so it reports more groups."

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
if [[ $have_goroscope == 1 ]]; then
    echo
    echo "### Ratios and targets (DESIGN.md section 7)"
    echo
    limit_kb=$((bytes / 1024 + 64 * 1024))
    for g in "goroscope show" "goroscope show -f json"; do
        gb=${best[$g]:-}
        if [[ -z $gb ]]; then
            echo "- $g: ${status[$g]}"
            continue
        fi
        mbs=$(awk -v s="$bytes" -v t="$gb" 'BEGIN { printf "%.0f", s / 1e6 / t }')
        verdict=$(awk -v x="$mbs" 'BEGIN { print (x >= 1000) ? "met" : "NOT met" }')
        echo "- $g: $mbs MB/s (target >= 1000 MB/s: $verdict)"
        for peer in gostackparse panicparse; do
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
fi
