#!/usr/bin/env bash
# Series memory benchmark (issue 13, DESIGN.md section 7): peak RSS and
# wall time of `goroscope trend` over 1,000, 3,000 and 10,000 snapshots in
# which 100,000 distinct groups come and go (bench/gen/sparse: each group
# lives 10 snapshots, two groups the whole series). The data holds about
# the same number of counts at every length (groups x 10), so memory must
# stay about flat: it follows the groups and the snapshots each appears
# in, not snapshots x groups (which is 0.8, 2.4 and 8 GB of counts).
#
# usage: bench/run-memory.sh [GOROSCOPE_BINARY]   (default: ./goroscope)
#
# Environment: RUNS (default 3); LENGTHS (default "1000 3000 10000");
# GROUPS_N (default 100000); BEFORE=BINARY to measure another goroscope in
# the same run (an older build, for the figures of a change).
set -euo pipefail

runs=${RUNS:-3}
lengths=${LENGTHS:-1000 3000 10000}
groups=${GROUPS_N:-100000}
before=${BEFORE:-}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

[[ -x $bin ]] || die "goroscope is not built ($bin)"
command -v go >/dev/null || die "go is not installed (needed for the generator)"
(cd "$bench/gen" && go build -o "$build/sparse" ./sparse)
if [[ -n $before && $before != /* ]]; then before=$root/${before#./}; fi

declare -A size
for n in $lengths; do
    snap=$data/sparse-$n-$groups.gsnap
    if [[ ! -s $snap ]]; then
        log "generating $n snapshots of $groups groups into $snap"
        "$build/sparse" -n "$n" -groups "$groups" -o "$data/sparse-$n.txt" ||
            die "generator failed"
        "$bin" convert "$data/sparse-$n.txt" -o "$snap" || die "convert failed"
        rm -f "$data/sparse-$n.txt"
    fi
    size[$n]=$(stat -c %s "$snap")
    cat "$snap" >/dev/null
    measure "trend, $n snapshots" "$tmp/trend-$n.txt" "$bin" trend "$snap"
    # (Each snapshot starts groups / n of them.)
    want=$((groups / n * n + 2))
    grep -q "1 leak suspect among $want groups" "$tmp/trend-$n.txt" ||
        die "trend over $n snapshots did not find the one leak among $want groups"
    if [[ -n $before ]]; then
        measure "before: trend, $n snapshots" "$tmp/before-$n.txt" "$before" trend "$snap"
    fi
done

echo "## Series memory benchmark"
echo
echo "- input: bench/gen/sparse, $groups distinct groups that come and go (each in 10" \
    "consecutive snapshots) and 2 that last the whole series, kept as one .gsnap:"
for n in $lengths; do
    echo "  $n snapshots, ${size[$n]} bytes, $((groups * 10 / 1000))k counts in the data" \
        "($(awk -v g="$groups" -v n="$n" 'BEGIN { printf "%.1f", g * n * 8 / 1e9 }') GB as one count per group and snapshot)"
done
echo "- $runs runs each, page cache warm; wall time from the shell clock, peak RSS from one" \
    "more run under GNU time; every run finds the one growing group"
[[ -n $before ]] && echo "- before: $before"
echo
print_table
echo
first=${lengths%% *}
last=${lengths##* }
x=$(awk -v a="${rss["trend, $first snapshots"]}" -v b="${rss["trend, $last snapshots"]}" \
    'BEGIN { printf "%.2f", b / a }')
echo "- peak RSS at $last snapshots is ${x}x that at $first" \
    "($(awk -v x="$x" 'BEGIN { print (x <= 1.5) ? "flat: follows the data" : "grows with the snapshots" }'))"
