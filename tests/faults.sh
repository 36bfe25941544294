#!/usr/bin/env bash
# Faults and hostile input (DESIGN.md sections 5, 6 and 7): what goroscope
# writes it reads back; damage to a series costs the damaged record only;
# kills during an append or a create lose nothing that was finished; -o
# writes regular files only; a stream or a gzip bomb is refused before
# memory runs out; a killed write leaves no temporary behind for long; a
# closed pipe ends the output quietly. TAP output.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. tests/tap.sh
cap=testdata/captures/leaky

snapshots() { # the snapshots goroscope reads from a series
	"$bin" convert --to json "$1" 2>/dev/null | grep -c '"goroutine_records"'
}

records() { # the whole records of a series whose CRC holds (quick)
	python3 - "$1" <<'PY'
import struct, sys, zlib
try:
    d = open(sys.argv[1], "rb").read()
except OSError:
    print(0); sys.exit()
o, n = 16, 0
while o + 24 <= len(d) and d[o:o + 4] == b"GREC":
    plen = struct.unpack_from("<I", d, o + 16)[0]
    if o + 24 + plen > len(d):
        break
    crc = zlib.crc32(d[o + 24:o + 24 + plen], zlib.crc32(d[o + 4:o + 20]))
    n += crc == struct.unpack_from("<I", d, o + 20)[0]
    o += 24 + plen
print(n)
PY
}

# --- a series it writes, it reads ------------------------------------------------

python3 - "$t/same.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 41):
        f.write("goroutine %d [chan receive]:\nmain.f()\n\t/m.go:3 +0x1\n\n" % i)
PY
"$bin" convert "$t/same.txt" -o "$t/same.gsnap" &&
	"$bin" show "$t/same.gsnap" 2>&1 | grep -q '40 goroutines in 1 group'
ok $? "40 identical goroutines (ids 1 to 40) written and read back"

# --- damage ---------------------------------------------------------------------

s=$t/three.gsnap
"$bin" convert testdata/captures/dumps/minutes.txt testdata/captures/dumps/locked.txt \
	testdata/captures/dumps/deadlock.txt -o "$s"
size=$(wc -c <"$s")
# Where each record starts and ends: the file header is 16 bytes, then
# records of a 24-byte header and their payload.
read -r -a pos <<<"$(python3 - "$s" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
o, s, e = 16, [], []
while o < len(d):
    s.append(o)
    o += 24 + struct.unpack_from("<I", d, o + 16)[0]
    e.append(o)
print(" ".join(map(str, s + e)))
PY
)"
r2=${pos[1]}
e1=${pos[3]}
e2=${pos[4]}
e3=${pos[5]}
flip() { # file offset xor
	python3 -c 'import sys
p, o, x = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
d = bytearray(open(p, "rb").read()); d[o] ^= x; open(p, "wb").write(d)' "$@"
}
cp "$s" "$t/len.gsnap"
flip "$t/len.gsnap" $((r2 + 17)) 4 # record 2's length, one bit
cp "$t/len.gsnap" "$t/len.orig"
"$bin" trend "$t/len.gsnap" >/dev/null 2>"$t/len.err"
st=$?
[ $st = 0 ] && [ "$(snapshots "$t/len.gsnap")" = 2 ] &&
	grep -q "damaged span.*offset 0x$(printf %x "$r2")" "$t/len.err"
ok $? "a bit flipped in record 2's length: records 1 and 3 read, the loss named"
"$bin" convert --append $cap/03.pb.gz -o "$t/len.gsnap" 2>/dev/null &&
	[ "$(snapshots "$t/len.gsnap")" = 3 ] &&
	head -c "$size" "$t/len.gsnap" | cmp -s - "$t/len.orig"
ok $? "and the next append cuts nothing: 1, 3 and the new one, every old byte kept"

# Flips across the whole series: the file header's bytes make it
# unreadable; anywhere else the record hit is lost at most, with a warning.
python3 - "$s" "$t/flips" <<'PY'
import os, sys
d = open(sys.argv[1], "rb").read()
os.makedirs(sys.argv[2])
for o in range(0, len(d), 9):
    f = bytearray(d); f[o] ^= 0x5a
    open(os.path.join(sys.argv[2], "%06d" % o), "wb").write(f)
PY
bad=0
worse=0
tried=0
for f in "$t"/flips/*; do
	o=$((10#$(basename "$f")))
	got=$("$bin" convert --to json "$f" 2>"$t/f.err" | grep -c '"goroutine_records"')
	tried=$((tried + 1))
	if [ $o -lt 16 ]; then
		[ "$got" = 0 ] || bad=$((bad + 1))
	elif [ "$got" -lt 2 ] || { [ "$got" -lt 3 ] && ! grep -q warning "$t/f.err"; }; then
		worse=$((worse + 1))
	fi
done
ok $((bad + worse)) "$tried flips, every 9th byte: header ones refused ($bad not), others cost a record at most, warned ($worse not)"
wrong=0
tried=0
for ((c = 17; c < size; c += 11)); do
	head -c $c "$s" >"$t/c.gsnap"
	want=0
	for e in $e1 $e2 $e3; do
		[ "$e" -le $c ] && want=$((want + 1))
	done
	got=$("$bin" convert --to json "$t/c.gsnap" 2>/dev/null | grep -c '"goroutine_records"')
	tried=$((tried + 1))
	[ "$got" = "$want" ] || wrong=$((wrong + 1))
done
ok $wrong "$tried cuts, every 11th byte: every whole record before the cut read, none after ($wrong wrong)"

# --- kills during appends and creates -------------------------------------------------

k=$t/kill.gsnap
done_ok=0
lost=0
for i in $(seq 1 25); do
	"$bin" convert --append testdata/captures/many/18000.pb.gz -o "$k" 2>/dev/null &
	p=$!
	sleep 0.0$((RANDOM % 6))
	kill -KILL $p 2>/dev/null
	wait $p 2>/dev/null && done_ok=$((done_ok + 1))
	have=$(records "$k")
	[ "${have:-0}" -ge "$done_ok" ] || lost=$((lost + 1))
done
"$bin" convert --append $cap/05.pb.gz -o "$k" 2>/dev/null
have=$(snapshots "$k")
[ "$lost" = 0 ] && [ "$have" -ge $((done_ok + 1)) ] && "$bin" trend "$k" >/dev/null 2>&1
ok $? "25 kills during appends (the first creating the series): every finished append kept ($done_ok finished, $have read)"

# --- -o writes regular files only ---------------------------------------------------

mknod "$t/dev" c 1 3 2>/dev/null
if [ -c "$t/dev" ]; then
	"$bin" show $cap/05.pb.gz -o "$t/dev" >/dev/null 2>"$t/e"
	st=$?
	[ $st = 1 ] && [ -c "$t/dev" ] && grep -q 'is a character device: -o writes only regular files' "$t/e"
	ok $? "-o to a device made here: refused, the device left"
	ln -s "$t/dev" "$t/devlink"
	"$bin" show $cap/05.pb.gz -o "$t/devlink" >/dev/null 2>"$t/e"
	[ $? = 1 ] && [ -L "$t/devlink" ] && grep -q 'symbolic link to a character device' "$t/e"
	ok $? "-o to a symbolic link to it: refused, the link left"
else
	ok 0 "# SKIP mknod not permitted here"
	ok 0 "# SKIP mknod not permitted here"
fi
mkfifo "$t/fifo"
"$bin" show $cap/05.pb.gz -o "$t/fifo" >/dev/null 2>"$t/e"
[ $? = 1 ] && [ -p "$t/fifo" ] && grep -q 'is a FIFO' "$t/e"
ok $? "-o to a FIFO: refused"
# As -o /dev/stdout, on a link of our own (a goroscope that replaced the
# link would not replace the system's).
ln -s /proc/self/fd/1 "$t/stdout"
"$bin" show $cap/05.pb.gz -o "$t/stdout" 2>"$t/e" | cat >/dev/null
[ "${PIPESTATUS[0]}" = 1 ] && [ -L "$t/stdout" ] &&
	grep -q -- 'symbolic link to a FIFO: .*-o - writes to standard output' "$t/e"
ok $? "-o to a link to a pipe, as /dev/stdout is: refused, pointing at -o -"
touch "$t/real"
ln -s real "$t/link"
"$bin" show --limit 1 $cap/05.pb.gz -o "$t/link" && [ -L "$t/link" ] &&
	grep -q '197 goroutines' "$t/real"
ok $? "-o to a symbolic link to a regular file: the file written, the link kept"
"$bin" convert --append --to gsnap $cap/05.pb.gz -o "$t/fifo" >/dev/null 2>"$t/e" </dev/null
[ $? = 1 ] && grep -q 'not a regular file' "$t/e"
ok $? "convert --append to a FIFO: refused"

# --- memory before the format is known ------------------------------------------------

# A memory ceiling (ulimit -v KB), but for a sanitized build: ASan maps
# terabytes of shadow memory, and its runs still show what is refused.
vlimit() { [ -n "${GOROSCOPE_SANITIZED:-}" ] || ulimit -v "$1"; }

(vlimit 300000; timeout 20 "$bin" show - </dev/zero) >/dev/null 2>"$t/e"
st=$?
[ $st = 1 ] && grep -q 'not a goroutine profile, goroutine dump or trace' "$t/e"
ok $? "show - </dev/zero under a 300 MB limit: refused after its first megabyte (status $st)"
head -c 100000000 /dev/zero | gzip -1 >"$t/bomb.gz"
(vlimit 300000; "$bin" show "$t/bomb.gz") >/dev/null 2>"$t/e"
st=$?
[ $st = 1 ] && grep -q 'after gunzip' "$t/e"
ok $? "a gzip bomb of zeros: refused from its first inflated megabyte (status $st)"
# The sniff inflates 64 KiB first, then up to its megabyte: a dump after
# 200 KB of a log is still a dump, and one after 2 MB is refused.
for kb in 200 2000; do
	{
		awk -v n=$((kb * 1000 / 50)) 'BEGIN { for (i = 0; i < n; i++) printf "2026-12-02T10:00:00Z INFO serving request %08d\n", i }'
		printf 'goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n\n'
	} | gzip >"$t/late-$kb.gz"
done
"$bin" show "$t/late-200.gz" >"$t/o" 2>"$t/e"
st=$?
[ $st = 0 ] && grep -q 'goroutine dump (debug=2), 1 goroutine in 1 group' "$t/o"
ok $? "gzip: a dump whose first goroutine comes after 200 KB of log lines is read (status $st)"
"$bin" show "$t/late-2000.gz" >"$t/o" 2>"$t/e"
st=$?
[ $st = 1 ] && grep -q "text without goroutines: .*(it starts '2026-12-02T10:00:00Z INFO serving reques') (after gunzip)" "$t/e"
ok $? "gzip: one whose first goroutine comes after 2 MB is refused from its first megabyte (status $st)"
# A gzip file that inflates to 1 MiB or less is inflated whole first, then
# sniffed the same way: log lines alone are refused with the same words.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "2026-12-02T10:00:00Z INFO serving request %08d\n", i }' |
	gzip >"$t/log.gz"
"$bin" show "$t/log.gz" >"$t/o" 2>"$t/e"
st=$?
[ $st = 1 ] && grep -q "text without goroutines: .*(it starts '2026-12-02T10:00:00Z INFO serving reques') (after gunzip)" "$t/e"
ok $? "gzip: 150 KB of log lines alone are refused, after gunzip (status $st)"
{
	printf 'goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n\n'
	head -c 300000000 /dev/zero
} | gzip -9 >"$t/bomb2.gz"
(vlimit 400000; /usr/bin/env time -f '%M' "$bin" show "$t/bomb2.gz") >/dev/null 2>"$t/e"
st=$?
peak=$(tail -1 "$t/e")
[ $st = 1 ] && grep -q 'gzip: \(inflates to more than .* a gzip bomb\|out of memory inflating\)' "$t/e"
ok $? "a 300 MB bomb that starts like a dump, 1000 to 1: refused at 250 to 1 (or by memory), exit 1, peak ${peak} KB"

# --- a dump through a pipe -----------------------------------------------------------

# Read from a pipe in pieces (its capacity asked up to 1 MiB), a dump of
# some 7 MB groups as the file does; so does one from a writer that
# writes 64 KiB at a time and stops a while every megabyte.
python3 - "$t/pipe.txt" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(1, 40001):
        f.write("goroutine %d [chan receive]:\nmain.f%d()\n\t/src/app/worker.go:%d +0x1d\n"
                "main.run()\n\t/src/app/main.go:12 +0x2a\ncreated by main.main in goroutine 1\n"
                "\t/src/app/main.go:9 +0x3c\n\n" % (i, i % 400, i % 400 % 7 + 1))
PY
"$bin" show -f json "$t/pipe.txt" | grep -v '"path"' >"$t/file.json"
cat "$t/pipe.txt" | "$bin" show -f json - | grep -v '"path"' >"$t/pipe.json"
[ "$(wc -c <"$t/pipe.txt")" -gt 4000000 ] && cmp -s "$t/file.json" "$t/pipe.json" &&
	grep -q '"groups": 400' "$t/pipe.json"
ok $? "a 7 MB dump through cat and a pipe: the same 400 groups as from the file"
python3 -c '
import sys, time
d = open(sys.argv[1], "rb").read()
for i in range(0, len(d), 65536):
    sys.stdout.buffer.write(d[i:i + 65536]); sys.stdout.flush()
    if i % (16 * 65536) == 0: time.sleep(0.01)
' "$t/pipe.txt" | "$bin" show -f json - | grep -v '"path"' >"$t/slow.json"
cmp -s "$t/file.json" "$t/slow.json"
ok $? "the same dump from a writer that pauses: the same groups"

# --- a shrinking file ---------------------------------------------------------------

big=bench/.data/bigdump-100MB.txt
if [ -f "$big" ]; then
	cp "$big" "$t/shrink.txt"
	"$bin" show "$t/shrink.txt" >/dev/null 2>"$t/e" &
	p=$!
	truncate -s 1000000 "$t/shrink.txt"
	wait $p
	st=$?
	[ $st = 0 ] || { [ $st = 1 ] && grep -q 'changed (it shrank)' "$t/e"; }
	ok $? "a file cut while it is read: read whole or refused as changed, never SIGBUS (status $st)"
else
	ok 0 "# SKIP no bench/.data/bigdump-100MB.txt (tests/unit/test_misc cuts a mapped file)"
fi

# --- counts and names from input ------------------------------------------------

mk() { python3 tests/pprof_make.py "$1" "$2"; }
park='("runtime.gopark", "proc.go", 1)'
max=9223372036854775807
mk "{'samples': [{'count': $max, 'stack': [$park, ('main.f', 'm.go', 1)]},
                 {'count': $max, 'stack': [$park, ('main.g', 'm.go', 2)]}]}" "$t/max.pb.gz"
"$bin" show "$t/max.pb.gz" >"$t/o" 2>&1
st=$?
grep -q "pprof, $max goroutines in 2 groups" "$t/o" && ! grep -q -- '-[0-9]' "$t/o" &&
	[ "$(grep -c "^$max  waiting" "$t/o")" = 2 ] && [ $st = 0 ]
ok $? "two counts of INT64_MAX: each shown whole, their sum stops at INT64_MAX"
mk "{'samples': [{'count': 3000000000, 'stack': [$park, ('main.f', 'm.go', 1)]}]}" "$t/a.pb.gz"
mk "{'samples': [{'count': 5000000000, 'stack': [$park, ('main.f', 'm.go', 1)]}]}" "$t/b.pb.gz"
"$bin" trend -f json "$t/a.pb.gz" "$t/b.pb.gz" "$t/max.pb.gz" |
	python3 -c '
import json, sys
d = json.load(sys.stdin)
f = [g for g in d["groups"] if g["blocking"]["func"] == "main.f"][0]
assert f["counts"] == [3000000000, 5000000000, 9223372036854775807], f["counts"]
assert f["growth"]["net"] == 9223372036854775807 - 3000000000
assert [i["goroutines"] for i in d["inputs"]] == [3000000000, 5000000000, 9223372036854775807]
'
ok $? "counts past 2^31 and 2^32 kept exactly across a series (trend -f json)"

# Names that a capture can hold and a terminal must not get: escape
# sequences (a title, a clear screen), BEL, a C1 CSI, invalid UTF-8, NUL,
# quotes and backslashes.
mk "{'samples': [{'count': 3, 'stack': [$park, (b'main.f\x1b]0;pwned\x07\x1b[2J', b'ma\x00in.go', 10)],
                  'labels': {b'k\x1b[31m': b'v\x00w'}},
                 {'count': 2, 'stack': [$park, (b'main.g\\\\\"q\"\xff\xc2\x9b', 'main.go', 20)]}]}" "$t/evil.pb.gz"
clean() { # standard input is valid UTF-8 without control characters but \n, \t
	python3 -c '
import sys, unicodedata
t = sys.stdin.buffer.read().decode("utf-8")
bad = [c for c in t if c not in "\n\t" and unicodedata.category(c) == "Cc"]
sys.exit(1 if bad or not t else 0)'
}
bad=0
for cmd in "show -v" "trend" "report" "diff"; do
	# shellcheck disable=SC2086
	"$bin" $cmd "$t/evil.pb.gz" "$t/evil.pb.gz" 2>&1 | clean || { bad=$((bad + 1)); echo "# $cmd"; }
done
"$bin" show -v "$t/evil.pb.gz" | grep -qF 'main.f\x1b]0;pwned\x07\x1b[2J (ma\x00in.go:10)' &&
	"$bin" show -v "$t/evil.pb.gz" | grep -qF '"k\x1b[31m"="v\x00w"' &&
	"$bin" show -v "$t/evil.pb.gz" | grep -qF 'main.g\"q"\xff\xc2\x9b'
ok $((bad + $?)) "hostile names in text: escaped as \\xHH, never raw control bytes ($bad outputs not)"
json_names() { # the names and labels a JSON document holds, as Python sees them
	python3 -c '
import json, sys
d = json.load(sys.stdin)
for g in d["groups"]:
    for f in g["stack"]:
        print(repr(f["func"]), repr(f["file"]))
    print(repr(g["labels"]))'
}
"$bin" show -f json "$t/evil.pb.gz" | json_names >"$t/names"
grep -qF "'main.f\\x1b]0;pwned\\x07\\x1b[2J' 'ma\\x00in.go'" "$t/names" &&
	grep -qF "'v\\x00w'" "$t/names" && grep -qF "'main.g\\\\\"q\"\\\\xff\\x9b'" "$t/names"
ok $? "hostile names in JSON: valid JSON, the bytes kept (NUL too), invalid UTF-8 as \\xHH"
"$bin" convert -o "$t/again.pb.gz" "$t/evil.pb.gz" &&
	"$bin" show -f json "$t/again.pb.gz" | json_names >"$t/names2" &&
	cmp -s "$t/names" "$t/names2" && grep -qF "'ma\\x00in.go'" "$t/names2"
ok $? "hostile names through convert to pprof: every byte back, NUL included"
# A panic message is text from the program too: the same rules.
printf 'panic: \033]0;pwned\007\033[2J boom\n\tline \302\233x \377\n\n%b' \
	'goroutine 1 [running]:\nmain.main()\n\t/m.go:1 +0x1\n' >"$t/evilpanic.txt"
bad=0
for cmd in show report; do
	"$bin" $cmd "$t/evilpanic.txt" 2>&1 | clean || { bad=$((bad + 1)); echo "# $cmd"; }
done
"$bin" show "$t/evilpanic.txt" | grep -qF '  panic: \x1b]0;pwned\x07\x1b[2J boom' &&
	"$bin" show "$t/evilpanic.txt" | grep -qF '      line \xc2\x9bx \xff'
ok $((bad + $?)) "a hostile panic message in text: escaped, its lines indented ($bad outputs not)"
"$bin" convert -o "$t/evilpanic.gsnap" "$t/evilpanic.txt" &&
	for f in "$t/evilpanic.txt" "$t/evilpanic.gsnap"; do
		"$bin" show -f json "$f" | python3 -c '
import json, sys
m = json.load(sys.stdin)["inputs"][0]["message"]
assert m == "panic: \x1b]0;pwned\x07\x1b[2J boom\n\tline \x9bx \\xff\ngoroutine 1 [running]:", repr(m)
' || exit 1
	done
ok $? "a hostile panic message in JSON: the bytes kept, also through .gsnap"
if command -v dot >/dev/null 2>&1; then
	"$bin" report -f dot "$t/evil.pb.gz" >"$t/evil.dot" &&
		out=$(dot -Tsvg "$t/evil.dot" 2>&1 >/dev/null) && [ -z "$out" ] &&
		! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$t/evil.dot"
	ok $? "hostile names in DOT: Graphviz reads the graph, no control bytes in it"
else
	ok 0 "# SKIP Graphviz's dot is not installed"
fi

# A stack deeper than kept (4096 frames): cut, and the cut marked.
python3 -c '
import sys
w = sys.stdout.write
w("goroutine 1 [chan receive]:\n")
for i in range(200000):
    w("main.f%d(...)\n\t/app/m.go:%d +0x1\n" % (i % 7, i % 7 + 1))
w("main.main()\n\t/app/m.go:100 +0x1\n")' >"$t/deep.txt"
"$bin" show -v "$t/deep.txt" | grep -A1 "/app/m.go:7$" | tail -1 | grep -q "frames elided" &&
	"$bin" show -f json "$t/deep.txt" | python3 -c '
import json, sys
s = json.load(sys.stdin)["groups"][0]["stack"]
assert len(s) == 4096 and s[-1]["func"] == "..." and s[-2]["func"] == "main.f6", (len(s), s[-2:])'
ok $? "a 200,000-frame stack: 4095 frames kept, then the mark of frames left out"

# --- temporaries and pipes ----------------------------------------------------------------

# kill_writing SIGNAL OUT: start writing OUT (JSON records, streamed for
# seconds) and send SIGNAL the moment its temporary exists; says whether
# one did.
kill_writing() {
	local sig=$1 out=$2 p seen=0 m=testdata/captures/many/18000.pb.gz
	"$bin" convert --to json $m $m $m $m $m $m -o "$out" &
	p=$!
	for _ in $(seq 500); do
		if compgen -G "$out.tmp.*" >/dev/null; then
			seen=1
			break
		fi
		sleep 0.01
	done
	kill -"$sig" $p 2>/dev/null
	wait $p 2>/dev/null
	[ $seen = 1 ]
}
out=$t/report.txt
kill_writing KILL "$out"
seen=$?
left=$(compgen -G "$out.tmp.*" | wc -l)
"$bin" show --limit 1 $cap/05.pb.gz -o "$out"
after=$(compgen -G "$out.tmp.*" | wc -l)
[ $seen = 0 ] && [ "$left" = 1 ] && [ "$after" = 0 ] && [ -s "$out" ]
ok $? "SIGKILL during -o leaves its temporary ($left); the next run removes it ($after left)"
# (A shell's background job ignores SIGINT: SIGTERM stands for ^C.)
kill_writing TERM "$t/int.txt"
seen=$?
left=$(compgen -G "$t/int.txt.tmp.*" | wc -l)
[ $seen = 0 ] && [ "$left" = 0 ] && [ ! -e "$t/int.txt" ]
ok $? "SIGTERM during -o: no temporary left, no output"
"$bin" show testdata/captures/many/18000.pb.gz 2>"$t/e" | head -1 >/dev/null
st=${PIPESTATUS[0]}
[ "$st" = 0 ] && [ ! -s "$t/e" ]
ok $? "show | head -1: exits 0, says nothing (status $st)"
for f in json html; do
	"$bin" show -f $f testdata/captures/many/18000.pb.gz 2>"$t/e" |
		head -1 >/dev/null
	st=${PIPESTATUS[0]}
	[ "$st" = 0 ] && [ ! -s "$t/e" ]
	ok $? "show -f $f | head -1: exits 0, says nothing (status $st)"
done
"$bin" show testdata/captures/leaky/05.pb.gz >/dev/full 2>"$t/e"
st=$?
[ "$st" = 1 ] && [ "$(wc -l <"$t/e")" = 1 ] && grep -q 'No space' "$t/e"
ok $? "show >/dev/full: exit 1, one line naming the reason (status $st)"

tap_end
