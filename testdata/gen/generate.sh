#!/usr/bin/env bash
# Regenerates testdata/captures/ from the Go programs in testdata/gen/.
#
#   testdata/gen/generate.sh [--slow] [--no-go127] [--keepalive]
#
#   --slow       also regenerate dumps/minutes.txt (parks goroutines for ~125 s);
#                by default the committed file is kept
#   --no-go127   skip the captures that need Go 1.27 (labels_go127.txt,
#                goroutineleak-go127/); the committed files are kept
#   --keepalive  also regenerate keepalive/ (live captures of a loaded HTTP
#                service: every run is a new sample, and the committed runs
#                were chosen among many for what they do to goroscope's
#                verdict, see keepalive/ACCURACY.md); by default they are kept
#
# Needs Go 1.26.8 (GO126, run as GOTOOLCHAIN=$GO126), Go 1.27.3 for two captures
# (GO127, fetched by the go command through the module proxy), gcc for the cgo
# dumps. Only loopback network traffic happens in the scenarios. The C build
# and tests never run this script; its output is committed.
set -euo pipefail

GEN="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="$(cd "$GEN/.." && pwd)/captures"
GO126="${GO126:-go1.26.8}"
GO127="${GO127:-go1.27.3}"
# One toolchain per execution trace format (fetched through the proxy).
GO121="${GO121:-go1.21.13}"
GO122="${GO122:-go1.22.12}"
GO123="${GO123:-go1.23.12}"
GO125="${GO125:-go1.25.5}"
SLOW=0
GO127_ON=1
KEEPALIVE=0
for a in "$@"; do
	case "$a" in
	--slow) SLOW=1 ;;
	--no-go127) GO127_ON=0 ;;
	--keepalive) KEEPALIVE=1 ;;
	-h | --help) sed -n '2,19p' "$0"; exit 0 ;;
	*) echo "generate.sh: unknown option '$a'" >&2; exit 2 ;;
	esac
done

say() { printf '==> %s\n' "$*" >&2; }
run() { printf '    %s\n' "$*" >&2; "$@"; }

BIN="$(mktemp -d "${TMPDIR:-/tmp}/goroscope-gen.XXXXXX")"
trap 'rm -rf "$BIN"' EXIT

cd "$GEN"
# -trimpath: the captures name files as Go does in a module (runtime/proc.go,
# goroscope.test/gen/leaky/main.go), not by the paths of the machine that made them.
export GOFLAGS="-buildvcs=false -trimpath" CGO_ENABLED=1
# Whatever the caller set must not leak into the captured programs.
unset GOTRACEBACK GODEBUG GOEXPERIMENT GOMAXPROCS GOGC

go126() { GOTOOLCHAIN="$GO126" go "$@"; }
go127() { GOTOOLCHAIN="$GO127" go "$@"; }

say "toolchains: $(go126 version)"
say "building into $BIN"
for p in capture transform leaky dumps/panicall dumps/sigquit dumps/ancestors dumps/elided \
	dumps/locked dumps/minutes dumps/cgo dumps/labels dumps/truncated dumps/logpreamble dumps/overflow \
	dumps/samemoment otherprof; do
	run go126 build -o "$BIN/$(basename "$p")" "./$p"
done
run go126 build -trimpath -o "$BIN/deadlock" ./dumps/deadlock
run go126 build -trimpath -o "$BIN/acceptflip" ./dumps/acceptflip
run go126 build -trimpath -o "$BIN/fleet" ./fleet
run go126 build -trimpath -o "$BIN/keepalive" ./keepalive
run go126 test -c -o "$BIN/synctest.test" ./dumps/synctest
run go126 test -c -trimpath -o "$BIN/hungtest.test" ./dumps/hungtest
GOEXPERIMENT=goroutineleakprofile run go126 build -o "$BIN/leaky-goroutineleak" ./leaky
if [ "$GO127_ON" = 1 ]; then
	if go127 version >/dev/null 2>&1; then
		say "toolchains: $(go127 version)"
		run go127 build -o "$BIN/leaky127" ./leaky
		run go127 build -o "$BIN/labels127" ./dumps/labels
	else
		say "WARNING: $GO127 not available; keeping the committed Go 1.27 captures"
		GO127_ON=0
	fi
fi
CAP="$BIN/capture"

mkdir -p "$OUT"

say "leaky: 6 moments x 3 formats + run.trace"
rm -rf "$OUT/leaky" && mkdir -p "$OUT/leaky"
run "$BIN/leaky" -out "$OUT/leaky" -trace "$OUT/leaky/run.trace"

say "noleak: the same program with -leaks=false"
rm -rf "$OUT/noleak"
run "$BIN/leaky" -out "$OUT/noleak" -leaks=false -trace discard

say "goroutineleak: GOEXPERIMENT=goroutineleakprofile, goroutineleak profile at moments 02 and 05"
rm -rf "$OUT/goroutineleak"
run "$BIN/leaky-goroutineleak" -out "$OUT/goroutineleak" -leakprofile 02,05 -trace discard

if [ "$GO127_ON" = 1 ]; then
	say "goroutineleak-go127: Go 1.27, no GOEXPERIMENT needed, moment 05"
	rm -rf "$OUT/goroutineleak-go127"
	run "$BIN/leaky127" -out "$OUT/goroutineleak-go127" -leakprofile 05 -trace discard
fi

say "fleet: two instances of one HTTP service (a leaks, b does not), 12 moments x 3 formats over net/http/pprof"
rm -rf "$OUT/fleet"
run "$BIN/fleet" -out "$OUT/fleet"

if [ "$KEEPALIVE" = 1 ]; then
	say "keepalive: a live HTTP service under keep-alive load, with and without leaks, idle and under a CPU hog; 8 moments x 3 formats + run.trace per run"
	# New samples under the committed names: what they do to goroscope's
	# verdict is whatever it is; keepalive/ACCURACY.md describes the old ones.
	for r in leak-idle-5:-leak leak-stress-8:-leak,-stress noleak-idle-18: noleak-stress-12:-stress; do
		name=${r%%:*}
		flags=${r#*:}
		rm -rf "$OUT/keepalive/$name"
		# shellcheck disable=SC2086
		run "$BIN/keepalive" -out "$OUT/keepalive/$name" ${flags//,/ }
	done
else
	say "keepalive: skipped (use --keepalive); keeping the committed runs"
fi

say "traces: one small scenario traced by each toolchain (one per trace format)"
T="$OUT/traces"
rm -rf "$T" && mkdir -p "$T"
# A nested module (go 1.21) that every toolchain builds; generations every
# 50 ms so that each trace has several.
for v in "$GO121:go1.21" "$GO122:go1.22" "$GO123:go1.23" "$GO125:go1.25" "$GO126:go1.26"; do
	tc=${v%%:*}
	name=${v##*:}
	(cd traces && GOTOOLCHAIN=$tc GODEBUG=traceadvanceperiod=50000000 run go run . -o "$T/$name.trace")
done
(cd traces && GOTOOLCHAIN=$GO126 GODEBUG=traceadvanceperiod=50000000 run go run . -flight -o "$T/flight-go1.26.trace")
# Events from more Ps (Ms) than the readers merge by scanning (8).
(cd traces && GOTOOLCHAIN=$GO121 run go run . -wide 32 -o "$T/go1.21-wide.trace")
(cd traces && GOTOOLCHAIN=$GO126 GODEBUG=traceadvanceperiod=50000000 run go run . -wide 32 -o "$T/go1.26-wide.trace")

say "dumps"
D="$OUT/dumps"
mkdir -p "$D"
# Every dump is the stderr of a real run; capture checks the exit status.
GOTRACEBACK=all run "$CAP" -o "$D/panic_all.txt" -want-exit 2 -- "$BIN/panicall" -mode nested
GOTRACEBACK=all run "$CAP" -o "$D/panic_repanicked.txt" -want-exit 2 -- "$BIN/panicall" -mode repanic
GOTRACEBACK=all GODEBUG=asyncpreemptoff=1 run "$CAP" -o "$D/panic_other_running.txt" -want-exit 2 -- "$BIN/panicall" -mode plain -spin
run "$CAP" -o "$D/deadlock.txt" -want-exit 2 -- "$BIN/deadlock"
GOTRACEBACK=system run "$CAP" -o "$D/sigquit_system.txt" -signal QUIT -want-exit 2 -- "$BIN/sigquit"
GOTRACEBACK=crash run "$CAP" -o "$D/sigquit_crash.txt" -signal QUIT -want-exit 134 -- "$BIN/sigquit"
GODEBUG=tracebackancestors=3 run "$CAP" -o "$D/ancestors.txt" -want-exit 0 -- "$BIN/ancestors"
run "$CAP" -o "$D/elided.txt" -want-exit 0 -- "$BIN/elided"
run "$CAP" -o "$D/stack_overflow.txt" -want-exit 2 -- "$BIN/overflow"
run "$CAP" -o "$D/locked.txt" -want-exit 0 -- "$BIN/locked"
if [ "$SLOW" = 1 ]; then
	say "minutes: this takes about 125 s"
	run "$CAP" -o "$D/minutes.txt" -want-exit 0 -- "$BIN/minutes"
else
	say "minutes: skipped (use --slow); keeping the committed dumps/minutes.txt"
fi
run "$CAP" -o "$D/cgo_stack.txt" -want-exit 0 -- "$BIN/cgo" -mode block
GOTRACEBACK=system run "$CAP" -o "$D/cgo_sigquit.txt" -signal QUIT -want-exit 2 -- "$BIN/cgo" -mode sigquit
run "$CAP" -o "$D/cgo_crash.txt" -want-exit 2 -- "$BIN/cgo" -mode crash
run "$CAP" -o "$D/cgo_crash_symbolizer.txt" -want-exit 2 -- "$BIN/cgo" -mode crashsym
run "$CAP" -o "$D/synctest.txt" -want-exit 0 -- "$BIN/synctest.test" -test.run '^TestBubbleDump$'
GODEBUG=tracebacklabels=1 run "$CAP" -o "$D/labels_go126.txt" -want-exit 0 -- "$BIN/labels"
if [ "$GO127_ON" = 1 ]; then
	# go.mod says "go 1.26", so Go 1.27 keeps the 1.26 default tracebacklabels=0
	# for this module; the setting is turned on explicitly.
	GODEBUG=tracebacklabels=1 run "$CAP" -o "$D/labels_go127.txt" -want-exit 0 -- "$BIN/labels127"
fi
run "$CAP" -o "$D/truncated.txt" -want-exit 0 -- "$BIN/truncated"
GOTRACEBACK=all run "$CAP" -o "$D/log_preamble.txt" -want-exit 2 -- "$BIN/logpreamble"
# What `go test -timeout 2s` prints for a hung test (the test binary run as
# go test runs it); -test.parallel 1 so that a parallel subtest waits.
run "$CAP" -o "$D/test_timeout.txt" -want-exit 2 -- "$BIN/hungtest.test" -test.timeout 2s -test.parallel 1

say "acceptflip: an accept loop caught in [IO wait] and in [syscall]"
run "$BIN/acceptflip" -io "$D/accept_iowait.txt" -syscall "$D/accept_syscall.txt"

say "samemoment: one moment of one process in every format (debug=2 beside each traceback, debug=1, pprof, a trace)"
S="$OUT/samemoment"
rm -rf "$S" && mkdir -p "$S"
env -u GOTRACEBACK "$CAP" -o "$S/sigquit.txt" -signal QUIT -want-exit 2 -- "$BIN/samemoment" \
	-debug2 "$S/quit.debug2.txt" -debug1 "$S/quit.debug1.txt" -pprof "$S/quit.pb.gz"
GOTRACEBACK=system run "$CAP" -o "$S/system.txt" -signal QUIT -want-exit 2 -- "$BIN/samemoment" \
	-debug2 "$S/system.debug2.txt"
GOTRACEBACK=crash run "$CAP" -o "$S/crash.txt" -signal QUIT -want-exit 134 -- "$BIN/samemoment" \
	-debug2 "$S/crash.debug2.txt"
run "$BIN/samemoment" -exit -trace "$S/run.trace" -debug2 "$S/trace.debug2.txt"

say "copies as they travel"
run "$BIN/transform" crlf "$OUT/leaky/03.debug2.txt" "$D/crlf.debug2.txt"
run "$BIN/transform" crlf "$OUT/leaky/03.debug1.txt" "$D/crlf.debug1.txt"
run "$BIN/transform" gzip "$OUT/leaky/03.debug2.txt" "$D/leaky03.debug2.txt.gz"
run "$BIN/transform" prefix '2026-11-28T10:00:00Z app[123]: ' "$D/panic_all.txt" "$D/prefixed.panic_all.txt"

say "many: a profile of 18,000 distinct stacks (bench/gen/manystacks), large enough to be finished and printed in parts"
rm -rf "$OUT/many" && mkdir -p "$OUT/many"
(cd ../../bench/gen && run go126 build -o "$BIN/manystacks" ./manystacks)
run "$BIN/manystacks" -stacks 18000 -goroutines 20000 -o "$OUT/many/18000.pb.gz" >/dev/null

say "other: profiles that are not goroutine profiles (refused by goroscope)"
rm -rf "$OUT/other"
run "$BIN/otherprof" -out "$OUT/other"

size=$(du -sb "$OUT" | cut -f1)
say "testdata/captures: $size bytes"
if [ "$size" -ge 4000000 ]; then
	echo "generate.sh: testdata/captures is $size bytes, over the 4 MB budget" >&2
	exit 1
fi
say "done"
