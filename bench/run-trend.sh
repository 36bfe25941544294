#!/usr/bin/env bash
# Trend benchmark: `goroscope trend` over a thousand goroutine profiles of a
# thousand groups each, written by one real Go process (bench/gen/series).
# Target (DESIGN.md section 7): under one second. See bench/README.md.
#
# usage: bench/run-trend.sh [GOROSCOPE_BINARY]   (default: ./goroscope)
#
# Environment: RUNS (default 3); N (default 1000) captures; STACKS (default
# 1000) call paths.
set -euo pipefail

runs=${RUNS:-3}
n=${N:-1000}
stacks=${STACKS:-1000}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_setup "${1:-}"

command -v go >/dev/null || die "go is not installed (needed for the generator)"
[[ -x $bin ]] || die "goroscope is not built ($bin)"
(cd "$bench/gen" && go build -o "$build/series" ./series)
dir=$data/series-$n-$stacks
if [[ ! -d $dir || $(find "$dir" -name '*.pb.gz' | wc -l) -ne $n ]]; then
    log "generating $n captures of $stacks call paths into $dir"
    rm -rf "$dir"
    "$build/series" -dir "$dir" -n "$n" -stacks "$stacks" >"$tmp/facts" ||
        die "generator failed"
fi
cat "$dir"/*.pb.gz >/dev/null
measure "goroscope trend" /dev/null "$bin" trend "$dir"
measure "goroscope trend -f json" /dev/null "$bin" trend -f json "$dir"
groups=$("$bin" trend "$dir" | sed -n 's/.* among \([0-9]*\) groups.*/\1/p')
bytes=$(du -sb "$dir" | cut -f1)

echo "## Trend benchmark"
echo
echo "- input: $n goroutine profiles (\`bench/.data/$(basename "$dir")/\`, $bytes bytes)" \
    "from bench/gen/series: $stacks call paths; goroscope finds $groups groups"
echo "- $runs runs, page cache warm; wall time from the shell clock, peak RSS from one more run under GNU time"
echo
print_table
b=${best["goroscope trend"]:-}
[[ -z $b ]] || echo "- target: under 1 s: $(awk -v t="$b" 'BEGIN { print (t < 1) ? "met" : "NOT met" }')"
