#!/usr/bin/env bash
# What `goroscope convert --to pprof` writes, `go tool pprof -top` and `-raw`
# open: the goroutine totals, functions, labels and goroscope.state survive,
# and so do the File: and Build ID: of a pprof source (its mappings; the
# unit test test_pprof checks them without Go).
# Runs when Go is on the machine, and says it skipped otherwise. Speaks TAP.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
if ! command -v go >/dev/null 2>&1; then
	echo "1..0 # SKIP go is not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local GOFLAGS= PPROF_TMPDIR="$tmp"

n=0
failed=0
check() { # description, command...
	local what=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		failed=$((failed + 1))
	fi
}

for input in testdata/captures/leaky/05.debug2.txt \
	testdata/captures/goroutineleak/05.leak.pb.gz; do
	out=$tmp/$(basename "$input").pb.gz
	check "convert $input" "$bin" convert --to pprof -o "$out" "$input"
	go tool pprof -top "$out" >"$tmp/top" 2>"$tmp/top.err"
	check "go tool pprof -top opens it" test $? = 0
	go tool pprof -raw "$out" >"$tmp/raw" 2>"$tmp/raw.err"
	check "go tool pprof -raw opens it" test $? = 0
	want=$("$bin" show "$input" | tail -1 | awk '{ print $1 }')
	check "-top: all $want goroutines" \
		grep -q "of $want total" "$tmp/top"
	check "-raw: states as labels" grep -q "goroscope.state:\[" "$tmp/raw"
done
check "-top: a goroutine profile" grep -q "Type: goroutineleak" "$tmp/top"
src=testdata/captures/leaky/05.pb.gz
out=$tmp/05.pprof.pb.gz
check "convert $src" "$bin" convert --to pprof -o "$out" "$src"
go tool pprof -top "$src" 2>/dev/null | grep -E '^(File|Build ID):' >"$tmp/want"
go tool pprof -top "$out" 2>/dev/null | grep -E '^(File|Build ID):' >"$tmp/got"
check "-top: the source's $(paste -sd ' ' "$tmp/want")" \
	grep -q '^Build ID: ' "$tmp/want"
check "-top: the same File: and Build ID: from the converted profile" \
	cmp -s "$tmp/want" "$tmp/got"
check "-raw: the leaking function" \
	grep -q "main.sendAfterTimeoutWorker" "$tmp/raw"
echo "1..$n"
[ $failed = 0 ]
