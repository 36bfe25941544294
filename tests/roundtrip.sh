#!/bin/sh
# A .gsnap dump loses nothing: for every goroutine capture in
# testdata/captures, `show -f json` and `convert --to json` give the same
# document from the capture and from the capture converted to .gsnap; for
# each series, so do `trend -f json` and `report -f json`, whether the
# series is a list of files, one .gsnap, or .gsnap files merged. TAP output.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$top/goroscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$top" || exit 1

n=0
fail=0
check() { # name, command producing A, command producing B
	n=$((n + 1))
	if ! sh -c "$2" >"$tmp/a" 2>"$tmp/a.err"; then
		echo "not ok $n - $1: $2 failed"
		sed 's/^/# /' "$tmp/a.err" | head -5
		fail=1
		return
	fi
	if ! sh -c "$3" >"$tmp/b" 2>"$tmp/b.err"; then
		echo "not ok $n - $1: $3 failed"
		sed 's/^/# /' "$tmp/b.err" | head -5
		fail=1
		return
	fi
	if cmp -s "$tmp/a" "$tmp/b"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1: outputs differ"
		diff "$tmp/a" "$tmp/b" | head -10 | sed 's/^/# /'
		fail=1
	fi
}

# Every goroutine capture (not the cpu/heap profiles of other/, which
# goroscope refuses).
files=$(find testdata/captures -path testdata/captures/other -prune -o \
	-type f \( -name '*.txt' -o -name '*.gz' \) -print | sort)
count=0
g=$tmp/one.gsnap
# convert_one FILE: FILE into $g, or a failed test.
convert_one() {
	count=$((count + 1))
	rm -f "$g"
	if "$bin" convert "$1" -o "$g" 2>"$tmp/err"; then
		return 0
	fi
	n=$((n + 1))
	echo "not ok $n - convert $1"
	sed 's/^/# /' "$tmp/err" | head -5
	fail=1
	return 1
}
for f in $files; do
	convert_one "$f" || continue
	check "show -f json $f" "'$bin' show -f json '$f' 2>/dev/null" \
		"'$bin' show -f json '$g' 2>/dev/null"
	check "convert --to json $f" "'$bin' convert --to json '$f' 2>/dev/null" \
		"'$bin' convert --to json '$g' 2>/dev/null"
done
# Execution traces: converted at the ten points trend samples, with the
# trace's own evidence (exact waits, creation stacks, goroutines created in
# the trace); the latest of them is the end.
for f in $(find testdata/captures -type f -name '*.trace' | sort); do
	convert_one "$f" || continue
	check "show -f json $f" "'$bin' show -f json '$f' 2>/dev/null" \
		"'$bin' show -f json '$g' 2>/dev/null"
	for cmd in trend report; do
		check "$cmd -f json $f" "'$bin' $cmd -f json '$f' 2>/dev/null" \
			"'$bin' $cmd -f json '$g' 2>/dev/null"
	done
done
# The list must not silently shrink (testdata/captures/MANIFEST.md).
n=$((n + 1))
if [ "$count" -ge 77 ]; then
	echo "ok $n - $count captures round-tripped"
else
	echo "not ok $n - only $count captures found"
	fail=1
fi

for set in 'leaky/*.pb.gz' 'leaky/*.debug2.txt' 'leaky/*.debug1.txt' \
	'noleak/*.pb.gz' 'noleak/*.debug2.txt'; do
	lines=$(ls testdata/captures/$set)
	list=$(echo $lines)
	g=$tmp/series.gsnap
	rm -f "$g"
	"$bin" convert $list -o "$g"
	for cmd in trend report; do
		check "$cmd -f json $set as .gsnap" \
			"'$bin' $cmd -f json $list" "'$bin' $cmd -f json '$g'"
	done
	# Merged from two halves, given in reverse: capture-time order
	# where every snapshot has a time, else the order given.
	first=$(echo "$lines" | head -n 3)
	rest=$(echo "$lines" | tail -n +4)
	rm -f "$tmp/a.gsnap" "$tmp/b.gsnap" "$tmp/m.gsnap"
	"$bin" convert $first -o "$tmp/a.gsnap"
	"$bin" convert $rest -o "$tmp/b.gsnap"
	"$bin" convert "$tmp/a.gsnap" "$tmp/b.gsnap" -o "$tmp/m.gsnap"
	check "merged halves of $set" "'$bin' trend -f json $list" \
		"'$bin' trend -f json '$tmp/m.gsnap'"
	# Appended one capture at a time.
	rm -f "$tmp/p.gsnap"
	for f in $list; do
		"$bin" convert --append "$f" -o "$tmp/p.gsnap"
	done
	check "appended one by one: $set" "'$bin' report -f json $list" \
		"'$bin' report -f json '$tmp/p.gsnap'"
done
echo "1..$n"
exit $fail
