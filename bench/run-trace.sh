#!/usr/bin/env bash
# Trace benchmark: goroscope reading a large execution trace (at least 200 MB
# and 5 million events, from a real Go program with many goroutines) against
# a Go program that reads every event with golang.org/x/exp/trace (Go's own
# reader), on the same file in the same run. See bench/README.md.
#
# usage: bench/run-trace.sh [GOROSCOPE_BINARY]   (default: ./goroscope)
#
# goroscope show runs twice: on the machine's cores and with
# GOROSCOPE_THREADS=1 (DESIGN.md section 7 sets a target for each).
#
# Environment: RUNS (default 3); BYTES (default 230000000) trace size;
# PIN=1 runs every tool under `taskset -c 0`.
set -euo pipefail

runs=${RUNS:-3}
bytes=${BYTES:-230000000}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

command -v go >/dev/null || die "go is not installed (needed for the generator and Go's reader)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is not installed"
[[ -x $bin ]] || die "goroscope is not built ($bin)"

log "building the generator and Go's reader into bench/.build/"
(cd "$bench/trace" && go build -o "$build/tracegen" ./gen && go build -o "$build/tracereader" ./reader)
trace=$data/busy-$bytes.trace
if [[ ! -s $trace ]]; then
    log "generating $trace (a busy program traced until the file holds $bytes bytes)"
    "$build/tracegen" -o "$trace.tmp" -bytes "$bytes" >"$trace.info" 2>"$data/tracegen.log" ||
        die "generator failed, see $data/tracegen.log"
    mv "$trace.tmp" "$trace"
fi
size=$(stat -c %s "$trace")
cat "$trace" >/dev/null

measure "goroscope show" /dev/null "$bin" show --no-progress "$trace"
measure "goroscope show, one thread" /dev/null env GOROSCOPE_THREADS=1 "$bin" show --no-progress "$trace"
measure "goroscope report" /dev/null "$bin" report --no-progress "$trace"
measure "Go reader (golang.org x-exp trace)" "$tmp/go.out" "$build/tracereader" "$trace"

read -r _ events _ transitions _ goroutines _ alive <"$tmp/go.out"
header=$("$bin" show --no-progress "$trace" | head -n1)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
echo "## Trace benchmark"
echo
echo "- input: \`bench/.data/$(basename "$trace")\`, $size bytes, header \`$(head -c 16 "$trace" | tr -d '\0')\`;" \
    "Go's reader counts $events events, $transitions goroutine state transitions, $goroutines goroutines ($alive alive at the end)"
echo "- goroscope: \`${header}\`"
echo "- machine: $(nproc) cores, ${cpu:-unknown CPU}; $(go version | awk '{print $3}')${PIN:+; every tool pinned to core 0}"
echo "- $runs runs per tool (best of $runs reported), page cache warm; wall time from the shell clock, peak RSS from one more run under GNU time"
echo
print_table
g=${best["goroscope show"]:-}
g1=${best["goroscope show, one thread"]:-}
x=${best["Go reader (golang.org x-exp trace)"]:-}
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r >= t) ? "met" : "NOT met" }'; }
if [[ -n $g && -n $g1 && -n $x ]]; then
    r=$(awk -v a="$x" -v b="$g" 'BEGIN { printf "%.1f", a / b }')
    r1=$(awk -v a="$x" -v b="$g1" 'BEGIN { printf "%.1f", a / b }')
    mbs=$(awk -v n="$size" -v t="$g" 'BEGIN { printf "%.0f", n / 1e6 / t }')
    mbs1=$(awk -v n="$size" -v t="$g1" 'BEGIN { printf "%.0f", n / 1e6 / t }')
    echo
    echo "- goroscope show on $(nproc) cores: ${mbs} MB/s, ${r}x faster than Go's reader" \
        "(targets >= 15x: $(verdict "$r" 15); >= 400 MB/s: $(verdict "$mbs" 400))"
    echo "- goroscope show on one thread: ${mbs1} MB/s, ${r1}x faster than Go's reader" \
        "(target >= 8x: $(verdict "$r1" 8))"
fi
