#!/bin/sh
# convert --append: a torn record left by an append that did not finish is
# cut off before the next append; a file that is not a series is refused
# and left untouched; a series with a damaged record is appended to after
# it, that record skipped by readers and every other kept; appends running
# at the same time all land, whole, also when they create the file. TAP
# output.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$top/goroscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
cd "$top" || exit 1
cap=testdata/captures/leaky
. tests/tap.sh
snapshots() { # the number of snapshots goroscope reads from a file
	"$bin" convert --to json "$1" 2>/dev/null | grep -c '"goroutine_records"'
}

s=$tmp/s.gsnap
"$bin" convert "$cap/00.pb.gz" -o "$s"
"$bin" convert --append "$cap/01.pb.gz" -o "$s"
ok $? "append to a series"
ok "$([ "$(snapshots "$s")" = 2 ]; echo $?)" "it holds 2 snapshots"

# A crash during an append: the last record is cut short.
size=$(wc -c <"$s")
head -c $((size - 40)) "$s" >"$tmp/t" && mv "$tmp/t" "$s"
"$bin" trend "$s" >/dev/null 2>"$tmp/err"
ok $? "a torn series still reads"
grep -q 'cut short' "$tmp/err"
ok $? "with a warning"
"$bin" convert --append "$cap/02.pb.gz" -o "$s" 2>"$tmp/err"
ok $? "append after a torn record"
grep -q 'dropping a torn record at offset 0x' "$tmp/err"
ok $? "says it dropped the torn record"
"$bin" trend "$s" >/dev/null 2>"$tmp/err"
ok "$([ $? = 0 ] && [ ! -s "$tmp/err" ]; echo $?)" "the series reads clean"
ok "$([ "$(snapshots "$s")" = 2 ]; echo $?)" "00 and 02: the torn 01 is gone"

# Not a series, or a damaged one: refused, untouched.
cp "$cap/03.debug2.txt" "$tmp/x.txt"
before=$(cksum <"$tmp/x.txt")
"$bin" convert --append --to gsnap "$cap/04.pb.gz" -o "$tmp/x.txt" 2>"$tmp/err"
ok "$([ $? = 1 ]; echo $?)" "append to a text file fails"
ok "$([ "$(cksum <"$tmp/x.txt")" = "$before" ]; echo $?)" "and leaves it as it was"
# A damaged record (CRC) in the middle: appended after, nothing cut.
cp testdata/gsnap/crc.gsnap "$tmp/crc.gsnap"
size=$(wc -c <testdata/gsnap/crc.gsnap)
"$bin" convert --append "$cap/04.pb.gz" -o "$tmp/crc.gsnap" 2>"$tmp/err"
ok "$([ $? = 0 ] && grep -q 'damaged span.*appending after it' "$tmp/err"; echo $?)" \
	"append to a series with a damaged record: warned, appended"
ok "$(head -c "$size" "$tmp/crc.gsnap" | cmp -s - testdata/gsnap/crc.gsnap; echo $?)" \
	"and every byte before is as it was"
ok "$([ "$(snapshots "$tmp/crc.gsnap")" = 6 ]; echo $?)" \
	"the 5 intact records and the new one read"
cp testdata/gsnap/v2.gsnap "$tmp/v2.gsnap"
"$bin" convert --append "$cap/04.pb.gz" -o "$tmp/v2.gsnap" 2>"$tmp/err"
ok "$([ $? = 1 ] && grep -q 'version 2.0' "$tmp/err"; echo $?)" \
	"append to a newer major version fails"

# Eight appends at once, under the lock.
c=$tmp/c.gsnap
"$bin" convert "$cap/00.debug2.txt" -o "$c"
for i in 1 2 3 4 5 6 7 8; do
	"$bin" convert --append "$cap/0$((i % 6)).debug2.txt" -o "$c" &
done
wait
"$bin" trend "$c" >/dev/null 2>"$tmp/err"
ok "$([ $? = 0 ] && [ ! -s "$tmp/err" ]; echo $?)" \
	"after concurrent appends the series reads clean"
ok "$([ "$(snapshots "$c")" = 9 ]; echo $?)" "and holds all 9 snapshots"

# Eight appends at once to a series that does not exist yet: created and
# appended to under one lock, none lost.
d=$tmp/new.gsnap
for i in 1 2 3 4 5 6 7 8; do
	"$bin" convert --append "$cap/0$((i % 6)).pb.gz" -o "$d" &
done
wait
"$bin" trend "$d" >/dev/null 2>"$tmp/err"
ok "$([ $? = 0 ] && [ ! -s "$tmp/err" ]; echo $?)" \
	"eight creators at once: the series reads clean"
ok "$([ "$(snapshots "$d")" = 8 ]; echo $?)" "and holds all 8 snapshots"
tap_end
