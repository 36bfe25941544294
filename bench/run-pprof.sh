#!/usr/bin/env bash
# pprof benchmark: goroscope reading a goroutine profile with at least 50,000
# distinct stacks, against `zcat` (the floor: just inflating it) and
# `go tool pprof -top`, on the same file in the same run. See bench/README.md.
#
# usage: bench/run-pprof.sh [GOROSCOPE_BINARY]   (default: ./goroscope)
#
# Environment: RUNS (default 3); STACKS (default 60000) distinct stacks;
# PIN=1 runs every tool under `taskset -c 0`.
set -euo pipefail

runs=${RUNS:-3}
stacks=${STACKS:-60000}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

command -v go >/dev/null || die "go is not installed (needed for the generator and go tool pprof)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is not installed"
[[ -x $bin ]] || die "goroscope is not built ($bin)"

log "building the generator into bench/.build/"
(cd "$bench/gen" && go build -o "$build/manystacks" ./manystacks)
prof=$data/manystacks-$stacks.pb.gz
if [[ ! -s $prof ]]; then
    log "generating $prof ($stacks distinct stacks; takes a few seconds)"
    "$build/manystacks" -stacks "$stacks" -goroutines $((stacks * 5 / 3)) \
        -o "$prof.tmp" -debug1 "$data/manystacks-$stacks.debug1.txt" >"$prof.info" 2>"$data/manystacks.log" ||
        die "generator failed, see $data/manystacks.log"
    mv "$prof.tmp" "$prof"
fi
bytes=$(stat -c %s "$prof")
raw=$(gzip -dc "$prof" | wc -c)
cat "$prof" >/dev/null

export GOTOOLCHAIN=local PPROF_TMPDIR=$tmp
go tool pprof -top "$prof" >/dev/null 2>&1 || true # warm go's tool cache
measure "goroscope show" /dev/null "$bin" show "$prof"
measure "goroscope show -f json" /dev/null "$bin" show -f json "$prof"
measure "zcat" /dev/null zcat "$prof"
measure "go tool pprof -top" /dev/null go tool pprof -top "$prof"
# The same profile as debug=1 text (written with it by the generator).
txt=$data/manystacks-$stacks.debug1.txt
cat "$txt" >/dev/null
measure "goroscope show, debug=1 text" /dev/null "$bin" show "$txt"
measure "goroscope show, debug=1 text, one thread" /dev/null env GOROSCOPE_THREADS=1 "$bin" show "$txt"

"$bin" show -f json "$prof" >"$tmp/g.json"
samples=$(grep -c '^1 @\|^[0-9]* @' "$data/manystacks-$stacks.debug1.txt" || true)
# The header line of the text report: "... N goroutines in M groups ...".
groups=$("$bin" show "$prof" | sed -n '1s/.* in \([0-9]*\) groups.*/\1/p')
goroutines=$(sed -n 's/.*"goroutines": \([0-9]*\).*/\1/p' "$tmp/g.json" | head -n1)

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "## pprof benchmark"
echo
echo "- input: \`bench/.data/$(basename "$prof")\`, $bytes bytes gzipped, $raw bytes of protobuf," \
    "$samples samples (distinct stacks and label sets), $goroutines goroutines; goroscope finds $groups groups"
echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}; $(go version | awk '{print $3}')${PIN:+; every tool pinned to core 0}"
echo "- $runs runs per tool, page cache warm; wall time from the shell clock, peak RSS from one more run under GNU time"
echo
print_table
g=${best["goroscope show"]:-}
if [[ -n $g && -n ${best["go tool pprof -top"]:-} && -n ${best[zcat]:-} ]]; then
    x=$(awk -v a="${best["go tool pprof -top"]}" -v b="$g" 'BEGIN { printf "%.1f", a / b }')
    z=$(awk -v a="$g" -v b="${best[zcat]}" 'BEGIN { printf "%.1f", a / b }')
    echo
    echo "- goroscope show is ${x}x faster than go tool pprof -top (target >= 10x:" \
        "$(awk -v x="$x" 'BEGIN { print (x >= 10) ? "met" : "NOT met" }'))"
    echo "- goroscope show takes ${z}x the time of zcat (target <= 4x:" \
        "$(awk -v x="$z" 'BEGIN { print (x <= 4) ? "met" : "NOT met" }'))"
fi
t1=${best["goroscope show, debug=1 text, one thread"]:-}
if [[ -n $t1 ]]; then
    echo "- the debug=1 text ($(stat -c %s "$txt") bytes) on one thread:" \
        "$(awk -v n="$(stat -c %s "$txt")" -v t="$t1" 'BEGIN { printf "%.0f", n / 1e6 / t }') MB/s"
fi
j=${best["goroscope show -f json"]:-}
if [[ -n $g && -n $j ]]; then
    r=$(awk -v a="$j" -v b="$g" 'BEGIN { printf "%.1f", a / b }')
    echo "- goroscope show -f json takes ${r}x the time of the text output (target <= 3x:" \
        "$(awk -v x="$r" 'BEGIN { print (x <= 3) ? "met" : "NOT met" }'))"
fi
