#!/usr/bin/env bash
# .gsnap benchmark: the same 1,000 goroutine profiles kept as 1,000 .pb.gz
# files and as one .gsnap series (DESIGN.md section 5): `goroscope trend` on
# each, sizes on disk and peak RSS. Target (issue 5): trend on the series
# at least 5 times faster. Uses the captures of bench/run-trend.sh.
#
# usage: bench/run-gsnap.sh [GOROSCOPE_BINARY]   (default: ./goroscope)
#
# Environment: RUNS (default 5); N and STACKS as for run-trend.sh.
set -euo pipefail

runs=${RUNS:-5}
n=${N:-1000}
stacks=${STACKS:-1000}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

[[ -x $bin ]] || die "goroscope is not built ($bin)"
dir=$data/series-$n-$stacks
if [[ ! -d $dir || $(find "$dir" -name '*.pb.gz' | wc -l) -ne $n ]]; then
    command -v go >/dev/null || die "go is not installed (needed for the generator)"
    (cd "$bench/gen" && go build -o "$build/series" ./series)
    log "generating $n captures of $stacks call paths into $dir"
    rm -rf "$dir"
    "$build/series" -dir "$dir" -n "$n" -stacks "$stacks" >/dev/null ||
        die "generator failed"
fi
snap=$tmp/series.gsnap
t0=$EPOCHREALTIME
"$bin" convert "$dir" -o "$snap"
t1=$EPOCHREALTIME
convert_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
cat "$dir"/*.pb.gz "$snap" >/dev/null
measure "trend on $n .pb.gz files" "$tmp/a.txt" "$bin" trend "$dir"
measure "trend on one .gsnap" "$tmp/b.txt" "$bin" trend "$snap"
cmp -s "$tmp/a.txt" "$tmp/b.txt" || die "the two trends differ"
"$bin" trend -f json "$dir" >"$tmp/a.json"
"$bin" trend -f json "$snap" >"$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" || die "the two JSON trends differ"

files=$(du -sb --apparent-size "$dir" | cut -f1)
one=$(stat -c %s "$snap")
echo "## .gsnap benchmark"
echo
echo "- input: $n goroutine profiles from bench/gen/series ($stacks call paths):" \
    "$files bytes as .pb.gz files, $one bytes as one .gsnap" \
    "($(awk -v a="$files" -v b="$one" 'BEGIN { printf "%.2f", a / b }')x smaller);" \
    "converting took ${convert_s} s"
echo "- $runs runs each, page cache warm; wall time from the shell clock, peak RSS from one more run under GNU time;" \
    "both give the same trend, text and JSON"
echo
print_table
x=$(awk -v a="${best["trend on $n .pb.gz files"]}" -v b="${best["trend on one .gsnap"]}" \
    'BEGIN { printf "%.1f", a / b }')
echo
echo "- trend on the .gsnap is ${x}x faster (target >= 5x:" \
    "$(awk -v x="$x" 'BEGIN { print (x >= 5) ? "met" : "NOT met" }'))"
