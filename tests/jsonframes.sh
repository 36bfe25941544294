#!/bin/sh
# show -f json writes each stack frame's object once and copies its text
# when the frame comes again at the same depth (formats/json.c, struct
# frame_texts), and stops keeping them where frames seldom come again.
# A dump whose first groups share their frames and whose later ones have
# frames of their own takes both paths in one document: every group's
# stack must still be its own, frame by frame. TAP output.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. tests/tap.sh

# The dump, and the stack expected of each group by its innermost
# function: "func file line" per frame, one group a line.
python3 - "$t/dump.txt" "$t/want" <<'PY'
import sys
dump, want = open(sys.argv[1], "w"), open(sys.argv[2], "w")
gid = 1
def goroutine(frames, times):
    global gid
    for _ in range(times):
        dump.write("goroutine %d [chan receive]:\n" % gid)
        for f, file, line in frames:
            dump.write("%s(...)\n\t%s:%d +0x1d\n" % (f, file, line))
        dump.write("created by main.main in goroutine 1\n\t/app/main.go:9 +0x2\n\n")
        gid += 1
    want.write(" ".join("%s %s %d" % fr for fr in frames) + "\n")
# 40 stacks of 12 frames from a pool of 16, ten goroutines each: they
# come first (larger groups first) and share their frames.
pool = [("main.shared%d" % i, "/app/shared.go", 10 + i) for i in range(16)]
for s in range(40):
    frames = [("main.leaf%d" % s, "/app/leaf.go", 5)]
    frames += [pool[(s * 7 + k) % 16] for k in range(11)]
    goroutine(frames, 10)
# 2,500 stacks of 6 frames of their own, one goroutine each: 15,000
# frames never seen again.
for s in range(2500):
    frames = [("main.own%d_%d" % (s, k), "/app/own%d.go" % (s % 50), 100 + k)
              for k in range(6)]
    goroutine(frames, 1)
PY

"$bin" show -f json --limit 0 "$t/dump.txt" >"$t/out.json" 2>"$t/err"
ok $? "show -f json of the dump"
python3 - "$t/out.json" >"$t/got" <<'PY'
import json, sys
for g in json.load(open(sys.argv[1]))["groups"]:
    print(" ".join("%s %s %d" % (f["func"], f["file"], f["line"]) for f in g["stack"]))
PY
sort "$t/want" >"$t/want.s"
sort "$t/got" >"$t/got.s"
if cmp -s "$t/want.s" "$t/got.s"; then
	ok 0 "$(wc -l <"$t/got.s") groups, each with its own frames"
else
	ok 1 "each group with its own frames ($(diff "$t/want.s" "$t/got.s" | grep -c '^>') differ)"
fi
# The shared groups came first, their frames again and again.
head -c 200000 "$t/out.json" | grep -c '"main.shared' >"$t/n"
[ "$(cat "$t/n")" -ge 400 ]
ok $? "the first groups repeat their shared frames ($(cat "$t/n") times)"
tap_end
