# Shared by the benchmark scripts: set-up, logging and timing. A script
# sets its own defaults (runs, sizes), sources this file and calls
# bench_setup with its first argument (the goroscope binary).

# bench_setup [BINARY]: bench, root, bin, build, data, tmp (removed at
# exit), me and pin (taskset -c 0 when PIN=1).
bench_setup() {
    bench=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    root=$(dirname "$bench")
    bin=${1:-./goroscope}
    [[ $bin == /* ]] || bin=$root/${bin#./}
    build=$bench/.build
    data=$bench/.data
    mkdir -p "$build" "$data"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    me=$(basename "$0")
    pin=()
    if [[ ${PIN:-0} == 1 ]]; then pin=(taskset -c 0); fi
}

log() { printf '%s\n' "$*" >&2; }
die() { log "$me: $*"; exit 1; }

# measure NAME OUTFILE CMD... : runs CMD $runs times (stdout to OUTFILE),
# records wall seconds (bash clock, µs resolution) and max RSS (GNU time).
declare -A best median rss status
rows=()
measure() {
    local name=$1 out=$2
    shift 2
    local walls=() i t0 t1 rc
    status[$name]=ok
    for ((i = 1; i <= runs; i++)); do
        log "  $name: run $i/$runs"
        t0=$EPOCHREALTIME
        rc=0
        "${pin[@]}" "$@" >"$out" 2>"$tmp/$name.err" || rc=$?
        t1=$EPOCHREALTIME
        if ((rc != 0)); then
            if ((rc == 124)); then status[$name]="timed out (${peer_timeout}s)"; else status[$name]="failed (exit $rc)"; fi
            log "  $name: ${status[$name]}: $(head -c 300 "$tmp/$name.err")"
            break
        fi
        walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
    done
    rows+=("$name")
    if ((${#walls[@]} == 0)); then
        best[$name]=; median[$name]=; rss[$name]=
        return
    fi
    # Peak RSS from one more run under GNU time, kept out of the timed
    # runs: its fork, exec and wait cost a few milliseconds, which is a
    # tenth of a 30 ms run and would blur the ratios of short runs.
    log "  $name: one more run for peak RSS"
    rss[$name]=
    if "${pin[@]}" /usr/bin/time -f '%M' -o "$tmp/time" "$@" >/dev/null 2>&1; then
        rss[$name]=$(awk 'END { print $1 }' "$tmp/time")
    fi
    local sorted
    sorted=$(printf '%s\n' "${walls[@]}" | sort -g)
    best[$name]=$(head -n1 <<<"$sorted")
    median[$name]=$(sed -n "$(((${#walls[@]} + 1) / 2))p" <<<"$sorted")
}

# print_table: the measured rows as Markdown: best and median wall time,
# peak RSS, status.
print_table() {
    local name
    echo "| tool | best s | median s | peak RSS MiB | status |"
    echo "|---|--:|--:|--:|---|"
    for name in "${rows[@]}"; do
        if [[ -n ${best[$name]} ]]; then
            printf '| %s | %.3f | %.3f | %s | %s |\n' "$name" "${best[$name]}" "${median[$name]}" \
                "$(awk -v k="${rss[$name]}" 'BEGIN { printf "%.0f", k / 1024 }')" "${status[$name]}"
        else
            printf '| %s | - | - | - | %s |\n' "$name" "${status[$name]}"
        fi
    done
}
