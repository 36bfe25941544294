#!/usr/bin/env bash
# The progress bar: drawn on standard error when it is a terminal (here a
# pseudo-terminal made by script(1)), never when it is not, and not with
# --no-progress. Speaks TAP; skips without script(1).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
if ! command -v script >/dev/null 2>&1; then
	echo "1..0 # SKIP script(1) is not installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trace=testdata/captures/leaky/run.trace
export GOROSCOPE_PROGRESS_DELAY=0

script -qec "'$bin' show '$trace' >/dev/null" "$tmp/tty" >/dev/null 2>&1
if grep -q 'goroscope: \[' "$tmp/tty"; then
	echo "ok 1 - a progress bar on a terminal"
else
	echo "not ok 1 - no progress bar on a terminal"
fi
script -qec "'$bin' show --no-progress '$trace' >/dev/null" "$tmp/tty2" >/dev/null 2>&1
if grep -q 'goroscope: \[' "$tmp/tty2"; then
	echo "not ok 2 - a progress bar despite --no-progress"
else
	echo "ok 2 - --no-progress draws none"
fi
"$bin" trend "$trace" testdata/captures/traces/go1.26.trace >/dev/null 2>"$tmp/err"
if [ -s "$tmp/err" ]; then
	echo "not ok 3 - standard error not a terminal, yet: $(head -c 100 "$tmp/err")"
else
	echo "ok 3 - nothing on standard error when it is not a terminal"
fi
echo "1..3"
