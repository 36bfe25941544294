#!/usr/bin/env bash
# Series as people really put them together (DESIGN.md section 2a), from the
# real captures of testdata/captures/fleet (two instances of one service,
# a leaking, b not): every layout of the same captures gives exactly the
# suspects and counts of the separate, well-named files:
#   - each instance alone, in every format: a's one leak, none in b;
#   - both merged into one .gsnap (instances from --meta host=): the same
#     per instance, never interleaved;
#   - naturally numbered files (dump-1 ... dump-12), named in shell order;
#   - dumps appended to one file (curl >>), debug=1 profiles appended;
#   - a directory with one truncated capture (kept going, listed), and
#     --strict making it fatal.
# Speaks TAP.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
F=testdata/captures/fleet
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. tests/tap.sh

# The evidence of the suspects of a report: every line of its LEAK
# SUSPECTS section (counts, growth, frames, ids), without the rate, which
# depends on whether the format has capture times.
suspects() {
	sed -n '/^LEAK SUSPECTS/,/^\(OTHER LARGE GROUPS\|THRESHOLDS\)/p' "$1" |
		grep -v '^\(OTHER LARGE GROUPS\|THRESHOLDS\)' |
		sed 's/ ([+-][0-9.]* a [a-z]*)//'
}

# The suspect rows of a trend: mark, count, change, trend, id, frame.
rows() {
	grep '^[!*]' "$1" || true
}

for fmt in pb.gz debug1.txt debug2.txt; do
	"$bin" report "$F"/a/*."$fmt" >"$t/a.$fmt" 2>/dev/null
	"$bin" report "$F"/b/*."$fmt" >"$t/b.$fmt" 2>/dev/null
	suspects "$t/a.$fmt" >"$t/a.$fmt.s"
	grep -q '^  1\. 88 goroutines' "$t/a.$fmt.s" &&
		! grep -q '^  2\. ' "$t/a.$fmt.s"
	ok $? "$fmt: instance a alone, one suspect, 88 goroutines"
	grep -q '^LEAK SUSPECTS: none' "$t/b.$fmt"
	ok $? "$fmt: instance b alone, no suspect"

	# Merged into one series: each instance judged on its own.
	"$bin" convert --meta host=a "$F"/a/*."$fmt" -o "$t/a.gsnap" 2>/dev/null
	"$bin" convert --meta host=b "$F"/b/*."$fmt" -o "$t/b.gsnap" 2>/dev/null
	"$bin" convert "$t/a.gsnap" "$t/b.gsnap" -o "$t/ab.gsnap" 2>/dev/null
	"$bin" report "$t/ab.gsnap" >"$t/ab.$fmt" 2>/dev/null
	"$bin" report --instance a "$t/ab.gsnap" >"$t/ab-a.$fmt" 2>/dev/null
	"$bin" report --instance b "$t/ab.gsnap" >"$t/ab-b.$fmt" 2>/dev/null
	suspects "$t/ab-a.$fmt" | cmp -s - "$t/a.$fmt.s"
	ok $? "$fmt: merged .gsnap, instance a: the same suspects and counts"
	grep -q '^LEAK SUSPECTS: none' "$t/ab-b.$fmt"
	ok $? "$fmt: merged .gsnap, instance b: no suspect"
	grep -q '^instance a: 12 snapshots' "$t/ab.$fmt" &&
		grep -q '^instance b: 12 snapshots' "$t/ab.$fmt" &&
		grep -q '^      1 of 2  ' "$t/ab.$fmt"
	ok $? "$fmt: merged .gsnap: two instances of 12, a fleet row suspect on 1 of 2"
	# The other way round, and merged again: the same (merging is
	# commutative and associative).
	"$bin" convert "$t/b.gsnap" "$t/a.gsnap" -o "$t/ba.gsnap" 2>/dev/null
	"$bin" report "$t/ba.gsnap" 2>/dev/null | cmp -s - "$t/ab.$fmt"
	ok $? "$fmt: b then a gives the same report as a then b"
done

# Naturally numbered files without capture times, named as a shell glob
# orders them (dump-1 dump-10 dump-11 dump-12 dump-2 ...).
mkdir "$t/num"
k=1
for f in "$F"/a/*.debug2.txt; do
	cp "$f" "$t/num/dump-$k"
	k=$((k + 1))
done
"$bin" report "$t"/num/dump-* >"$t/num.out" 2>/dev/null
suspects "$t/num.out" | cmp -s - "$t/a.debug2.txt.s"
ok $? "dump-1 ... dump-12 in shell order: the suspects of the well-named files"
grep -q 'dump-1$' "$t/num.out" && sed -n '/^INPUTS/,/^$/p' "$t/num.out" |
	awk '/dump-/ { sub(/.*dump-/, ""); if ($0 + 0 != ++k) bad = 1 } END { exit bad || k != 12 }'
ok $? "and their inputs listed in natural order"
"$bin" report "$t/num" 2>/dev/null | suspects /dev/stdin | cmp -s - "$t/a.debug2.txt.s"
ok $? "the same directory named: the same suspects"

# Appended to one file: each capture its own snapshot, nothing summed.
cat "$F"/a/*.debug2.txt >"$t/appended2.txt"
cat "$F"/a/*.debug1.txt >"$t/appended1.txt"
"$bin" report "$t/appended2.txt" >"$t/app2.out" 2>/dev/null
suspects "$t/app2.out" | cmp -s - "$t/a.debug2.txt.s"
ok $? "12 debug=2 dumps appended: the same suspects and counts"
grep -q '^goroscope report: 12 snapshots, in file order' "$t/app2.out"
ok $? "read as 12 snapshots, in file order"
"$bin" report "$t/appended1.txt" 2>/dev/null | suspects /dev/stdin |
	cmp -s - "$t/a.debug1.txt.s"
ok $? "12 debug=1 profiles appended: the same suspects and counts"
cat "$F"/a/*.pb.gz >"$t/appended.pb.gz"
"$bin" report "$t/appended.pb.gz" 2>/dev/null | suspects /dev/stdin |
	cmp -s - "$t/a.pb.gz.s"
ok $? "12 gzipped profiles appended (one gzip member each): the same suspects"
"$bin" show "$t/appended2.txt" >"$t/show.out" 2>"$t/show.err"
"$bin" show "$F/a/11.debug2.txt" 2>/dev/null | tail -n +2 >"$t/show11"
tail -n +2 "$t/show.out" | cmp -s - "$t/show11" &&
	grep -q 'holds 12 captures: showing the last, #12' "$t/show.err"
ok $? "show of the appended file: the last capture, not a sum, and says so"

# A directory with one capture cut short: kept going, the input listed.
mkdir "$t/dir"
cp "$F"/a/*.pb.gz "$t/dir/"
head -c 1000 "$F/a/11.pb.gz" >"$t/dir/11.pb.gz"
"$bin" report "$t/dir" >"$t/dir.out" 2>"$t/dir.err"
st=$?
[ $st = 0 ] && grep -q "11.pb.gz: warning: skipped: offset 0x3e8" "$t/dir.err" &&
	grep -q '^     -  skipped .*11.pb.gz: offset 0x3e8' "$t/dir.out" &&
	grep -q '^  1\. 80 goroutines' "$t/dir.out"
ok $? "one truncated .pb.gz among 12: exit 0, a warning, listed, 11 snapshots judged"
"$bin" report --strict "$t/dir" >"$t/strict.out" 2>"$t/strict.err"
st=$?
[ $st = 1 ] && [ ! -s "$t/strict.out" ] && grep -q "11.pb.gz: offset 0x3e8" "$t/strict.err"
ok $? "--strict: exit 1, nothing written, the file named"

tap_end
