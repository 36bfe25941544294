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
# Then the same for an old-format trace (Go 1.11-1.21): the generator built
# with Go 1.21 (GOTOOLCHAIN=$GO121, fetched from the module proxy), on one
# thread and the machine's cores (the old format is read on one either way).
#
# Environment: RUNS (default 3); BYTES (default 230000000) trace size;
# OLD_BYTES (default 100000000) the old trace's size, 0 to leave it out;
# GO121 (default go1.21.13); PIN=1 runs every tool under `taskset -c 0`.
set -euo pipefail

runs=${RUNS:-3}
bytes=${BYTES:-230000000}
old_bytes=${OLD_BYTES:-100000000}
go121=${GO121:-go1.21.13}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

command -v go >/dev/null || die "go is not installed (needed for the generator and Go's reader)"
[[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is not installed"
[[ -x $bin ]] || die "goroscope is not built ($bin)"

# generate GEN FILE BYTES LOG: FILE written by GEN (a busy program that
# traces itself until FILE holds BYTES), unless it is there.
generate() {
    local gen=$1 file=$2 n=$3 logf=$4
    [[ -s $file ]] && return 0
    log "generating $file (a busy program traced until the file holds $n bytes)"
    "$gen" -o "$file.tmp" -bytes "$n" >"$file.info" 2>"$logf" || die "generator failed, see $logf"
    mv "$file.tmp" "$file"
}

log "building the generator and Go's reader into bench/.build/"
(cd "$bench/trace" && go build -o "$build/tracegen" ./gen && go build -o "$build/tracereader" ./reader)
trace=$data/busy-$bytes.trace
generate "$build/tracegen" "$trace" "$bytes" "$data/tracegen.log"
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

((old_bytes > 0)) || exit 0
# The old format: the same generator, in a module Go 1.21 builds.
old=$data/busy-old-$old_bytes.trace
if [[ ! -s $old ]]; then
    log "building the generator with $go121"
    mkdir -p "$build/oldgen"
    cp "$bench/trace/gen/main.go" "$build/oldgen/main.go"
    printf 'module oldgen\n\ngo 1.21\n' >"$build/oldgen/go.mod"
    (cd "$build/oldgen" && GOTOOLCHAIN=$go121 GOFLAGS=-mod=mod go build -o "$build/tracegen-old" .) ||
        die "could not build the generator with $go121 (GOTOOLCHAIN needs the module proxy)"
fi
generate "$build/tracegen-old" "$old" "$old_bytes" "$data/tracegen-old.log"
osize=$(stat -c %s "$old")
cat "$old" >/dev/null
rows=()
measure "goroscope show (old format)" /dev/null "$bin" show --no-progress "$old"
measure "goroscope show (old format), one thread" /dev/null env GOROSCOPE_THREADS=1 "$bin" show --no-progress "$old"
measure "Go reader (old format)" "$tmp/go-old.out" "$build/tracereader" "$old"
read -r _ oevents _ _ _ ogoroutines _ _ <"$tmp/go-old.out"
echo
echo "## Old-format trace benchmark"
echo
echo "- input: \`bench/.data/$(basename "$old")\`, $osize bytes, header \`$(head -c 16 "$old" | tr -d '\0')\`" \
    "(bench/trace/gen built with $go121); Go's reader counts $oevents events, $ogoroutines goroutines"
echo
print_table
g=${best["goroscope show (old format)"]:-}
g1=${best["goroscope show (old format), one thread"]:-}
x=${best["Go reader (old format)"]:-}
if [[ -n $g && -n $g1 && -n $x ]]; then
    echo
    echo "- goroscope show: $(awk -v n="$osize" -v t="$g" 'BEGIN { printf "%.0f", n / 1e6 / t }') MB/s," \
        "$(awk -v a="$x" -v b="$g" 'BEGIN { printf "%.1f", a / b }')x faster than Go's reader;" \
        "one thread $(awk -v a="$x" -v b="$g1" 'BEGIN { printf "%.1f", a / b }')x (DESIGN.md sets no target for old traces)"
fi
