#!/usr/bin/env bash
# goroscope's trace reader against Go's own (golang.org/x/exp/trace): the
# per-goroutine summaries of testdata/gen/tracecheck and tests/tracesum must
# agree (tests/tracecheck.awk) on every trace of testdata/captures and of
# the shared corpus that Go's reader reads (Go 1.11 and later).
# Runs when Go is on the machine and can build the checker (module cache or
# proxy); says it skipped otherwise. Speaks TAP.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/default}
sum=$build/tests/tracesum
checker=$build/tests/tracecheck
cd "$root" || exit 1

if ! command -v go >/dev/null 2>&1; then
	echo "1..0 # SKIP no Go toolchain on this machine"
	exit 0
fi
if [ ! -x "$sum" ]; then
	echo "1..0 # SKIP $sum is not built"
	exit 0
fi
if [ ! -x "$checker" ] || [ testdata/gen/tracecheck/main.go -nt "$checker" ]; then
	if ! (cd testdata/gen/tracecheck && GOFLAGS=-mod=mod go build -o "$checker" .) \
		>"$build/tests/tracecheck.log" 2>&1; then
		echo "1..0 # SKIP cannot build testdata/gen/tracecheck (needs golang.org/x/exp): $(tail -1 "$build/tests/tracecheck.log")"
		exit 0
	fi
fi

files=(testdata/captures/traces/*.trace testdata/captures/leaky/run.trace)
corpus=${GOROSCOPE_CORPUS:-../shared/corpus}
for f in "$corpus"/trace-new/* "$corpus"/trace-old/*; do
	[ -f "$f" ] || continue
	# Go's reader reads the old format of Go 1.11 and later only.
	case $(head -c 16 "$f" | tr -d '\0') in
	"go 1.5 trace" | "go 1.7 trace" | "go 1.8 trace" | "go 1.9 trace" | "go 1.10 trace") continue ;;
	esac
	files+=("$f")
done

n=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "${files[@]}"; do
	n=$((n + 1))
	if ! "$checker" "$f" >"$tmp/go" 2>"$tmp/go.err"; then
		echo "ok $n - $f # SKIP Go's reader refuses it: $(head -c 120 "$tmp/go.err")"
		continue
	fi
	if ! "$sum" "$f" >"$tmp/c" 2>"$tmp/c.err"; then
		echo "not ok $n - $f: goroscope refuses it: $(cat "$tmp/c.err")"
		fail=1
		continue
	fi
	if awk -f tests/tracecheck.awk "$tmp/go" "$tmp/c" >"$tmp/diff"; then
		echo "ok $n - $f: $(wc -l <"$tmp/go") goroutines agree with Go's reader"
	else
		echo "not ok $n - $f: differs from Go's reader"
		sed 's/^/# /' "$tmp/diff" | head -20
		fail=1
	fi
	# The same summaries on one thread as on two.
	n=$((n + 1))
	GOROSCOPE_THREADS=1 "$sum" "$f" >"$tmp/c1" 2>&1
	GOROSCOPE_THREADS=2 "$sum" "$f" >"$tmp/c2" 2>&1
	if cmp -s "$tmp/c1" "$tmp/c2"; then
		echo "ok $n - $f: the same $(wc -l <"$tmp/c1") summaries on one thread and on two"
	else
		echo "not ok $n - $f: threads change the summaries"
		diff "$tmp/c1" "$tmp/c2" | head -5 | sed 's/^/# /'
		fail=1
	fi
done
echo "1..$n"
exit $fail
