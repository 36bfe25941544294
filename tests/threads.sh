#!/usr/bin/env bash
# Work split over threads gives the bytes one thread gives: show (text,
# -v, colour, JSON), trend and convert on a profile of 18,066 groups, more
# than one part's worth; show, diff, report and trend of traces, whose
# later generations two threads replay apart and join. Speaks TAP.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
many=testdata/captures/many/18000.pb.gz
n=0

check() {
	local name=$1
	shift
	n=$((n + 1))
	if ! GOROSCOPE_THREADS=1 "$bin" "$@" >"$tmp/one" 2>&1; then
		echo "not ok $n - $name: failed on one thread"
		return
	fi
	GOROSCOPE_THREADS=2 "$bin" "$@" >"$tmp/all" 2>&1
	if [ ! -s "$tmp/one" ]; then
		echo "not ok $n - $name: no output"
	elif cmp -s "$tmp/one" "$tmp/all"; then
		echo "ok $n - $name: the same $(wc -c <"$tmp/one") bytes on one thread and on two"
	else
		echo "not ok $n - $name: threads change the output"
		diff "$tmp/one" "$tmp/all" | head -5 | sed 's/^/# /'
	fi
}

echo "1..14"
check "show" show "$many"
check "show -v" show -v "$many"
check "show --color=always" show --color=always "$many"
check "show -f json" show -f json "$many"
check "trend" trend "$many" testdata/captures/leaky/05.pb.gz "$many"
check "show --group-by top:2" show --group-by top:2 "$many"
# 32 snapshots of 18,066 groups: growth and sparklines in parts too.
set -- trend
for _ in $(seq 32); do set -- "$@" "$many"; done
check "trend over 32 snapshots" "$@"
traces=testdata/captures/traces
check "show of a trace" show "$traces/go1.26-wide.trace"
check "show -v -f json of a trace" show -v -f json "$traces/go1.26-wide.trace"
check "show of a flight recording" show "$traces/flight-go1.26.trace"
check "diff of two traces" diff "$traces/go1.25.trace" "$traces/go1.26.trace"
check "report of a trace" report "$traces/go1.26-wide.trace"
check "trend of a trace every 3ms" trend -f json --every 3ms "$traces/go1.26.trace"
check "show --at of a trace" show --at 250ms "$traces/go1.26.trace"
