#!/usr/bin/env bash
# Capturing from live services (DESIGN.md sections 2 and 2a), against a
# real HTTP server on 127.0.0.1 started here (tests/capture_server.py,
# Python's standard library) that serves the committed captures of the
# fleet scenario in sequence on the net/http/pprof paths, and fails in the
# ways real endpoints do. TAP output. Skips, saying so, only where python3
# is missing (.ci/deps installs it).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
if ! command -v python3 >/dev/null 2>&1; then
	echo "1..0 # SKIP python3 is not installed (.ci/deps installs it)"
	exit 0
fi
t=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$t"
}
trap cleanup EXIT
. tests/tap.sh

# serve NAME DIR [ARGS...]: a server of DIR's captures; sets port_NAME.
serve() {
	local name=$1 dir=$2
	shift 2
	python3 tests/capture_server.py --dir "$dir" \
		--count-file "$t/served.$name" "$@" >"$t/port.$name" &
	pids+=($!)
	for _ in $(seq 50); do
		[ -s "$t/port.$name" ] && break
		sleep 0.1
	done
	eval "port_$name=$(cat "$t/port.$name")"
}

F=testdata/captures/fleet
serve a $F/a --trace testdata/captures/traces/go1.26.trace \
	--leakdir testdata/captures/goroutineleak
serve b $F/b
A=http://127.0.0.1:$port_a
B=http://127.0.0.1:$port_b

# --- capture, report ---------------------------------------------------------

"$bin" capture --count 6 --interval 200ms "$A" -o "$t/one.gsnap" >"$t/one.out" 2>"$t/one.err"
ok $? "capture --count 6 --interval 200ms: exit 0"
grep -q "^goroscope capture: 6 snapshots of 1 instance in $t/one.gsnap (6 moments)$" "$t/one.out"
ok $? "it says 6 snapshots of 1 instance"
"$bin" report "$t/one.gsnap" >"$t/one.report" 2>&1
grep -q '^  1\. 40 goroutines, chan send' "$t/one.report" &&
	! grep -q '^  2\. ' "$t/one.report" &&
	grep -q 'up or level in 100% of steps: 0 8 16 24 32 40 ' "$t/one.report" &&
	grep -q 'blocked in main.enrich (main.go:234)' "$t/one.report"
ok $? "report on the capture: exactly the planted leak, 0 8 16 24 32 40"
grep -q "^     1  2026-.*  pprof .* $A/debug/pprof/goroutine\$" "$t/one.report"
ok $? "a URL without a path is the goroutine profile"
"$bin" convert --to json "$t/one.gsnap" | grep -c "\"instance\":\"127.0.0.1:$port_a\"" |
	grep -qx 6
ok $? "each snapshot's instance is the URL's host:port"

# Two URLs at the same moments: two instances.
"$bin" capture --count 4 --interval 200ms "$A" "$B" -o "$t/two.gsnap" >"$t/two.out" 2>&1
grep -q "^goroscope capture: 8 snapshots of 2 instances" "$t/two.out"
ok $? "two URLs: 8 snapshots of 2 instances"
"$bin" trend "$t/two.gsnap" >"$t/two.trend" 2>&1
grep -q "^instance 127.0.0.1:$port_a: 4 snapshots" "$t/two.trend" &&
	grep -q "^instance 127.0.0.1:$port_b: 4 snapshots" "$t/two.trend" &&
	grep -q '^      1 of 2  .*main.enrich' "$t/two.trend"
ok $? "trend: each its own series, the leak a suspect on 1 of 2"

# --debug 2, --instance, --meta, --header.
"$bin" capture --count 2 --interval 100ms --debug 2 --instance web-1 \
	--meta service=api "$A" -o "$t/d2.gsnap" >/dev/null 2>&1
"$bin" convert --to json "$t/d2.gsnap" >"$t/d2.json"
grep -q '"format":"debug=2"' "$t/d2.json" && grep -q '"instance":"web-1"' "$t/d2.json" &&
	grep -q '"meta":{"service":"api"}' "$t/d2.json" &&
	grep -q "\"path\":\"$A/debug/pprof/goroutine?debug=2\"" "$t/d2.json"
ok $? "--debug 2 --instance web-1 --meta service=api: debug=2 text, named so"
"$bin" capture --count 1 --header 'Authorization: Bearer t' \
	"$A/auth/debug/pprof/goroutine" -o "$t/auth.gsnap" >/dev/null 2>&1
ok $? "--header: the protected endpoint answers"
"$bin" capture --count 1 --leak "$A" -o "$t/leak.gsnap" >/dev/null 2>&1 &&
	"$bin" convert --to json "$t/leak.gsnap" | grep -q '"kind":"goroutineleak"'
ok $? "--leak: the goroutineleak profile"

# A failed fetch is a warning; the next moments still come.
"$bin" capture --count 4 --interval 100ms "$A" "$B/flaky/debug/pprof/goroutine" \
	-o "$t/flaky.gsnap" >"$t/flaky.out" 2>"$t/flaky.err"
st=$?
[ $st = 0 ] && grep -q '^goroscope capture: 6 snapshots of 2 instances' "$t/flaky.out" &&
	[ "$(grep -c '^  missing: moment [24], .*flaky.*: HTTP 500 (internal error)$' "$t/flaky.out")" = 2 ] &&
	[ "$(grep -c 'warning: skipped: HTTP 500' "$t/flaky.err")" = 2 ]
ok $? "every second fetch of one URL fails: 6 of 8 taken, the 2 missing listed, warned"

# Killed mid-run: every completed snapshot reads back.
before=$(cat "$t/served.a")
"$bin" capture --count 0 --interval 100ms "$A" -o "$t/kill.gsnap" >/dev/null 2>&1 &
cp=$!
sleep 1.2
kill -KILL $cp
wait $cp 2>/dev/null
served=$(($(cat "$t/served.a") - before))
got=$("$bin" convert --to json "$t/kill.gsnap" 2>/dev/null | grep -c '"goroutine_records"')
[ "$got" -ge 5 ] && [ "$got" -le "$served" ] && [ "$got" -ge $((served - 1)) ]
ok $? "SIGKILL mid-run: $got snapshots read back of $served served (at most the one in flight lost)"

# ^C stops cleanly after the snapshot in flight.
"$bin" capture --count 0 --interval 100ms "$A" -o "$t/int.gsnap" >"$t/int.out" 2>&1 &
cp=$!
sleep 0.7
kill -INT $cp
wait $cp
st=$?
[ $st = 0 ] && grep -q 'stopped by a signal' "$t/int.out" &&
	"$bin" trend "$t/int.gsnap" >/dev/null 2>&1
ok $? "SIGINT: exit 0, the series whole"

# --- URLs as sources of every command -------------------------------------------

# A fresh server: its captures from the first again.
serve c $F/a --trace testdata/captures/traces/go1.26.trace
A=http://127.0.0.1:$port_c

"$bin" show --limit 1 "$A/debug/pprof/goroutine?debug=1" >"$t/s1" 2>&1 &&
	grep -q "^$A/debug/pprof/goroutine?debug=1: goroutine profile (debug=1), 31 goroutines" "$t/s1"
ok $? "show URL?debug=1"
"$bin" show --limit 1 "$A/debug/pprof/trace?seconds=1" >"$t/tr" 2>&1 &&
	grep -q "execution trace, 27 goroutines" "$t/tr"
ok $? "show URL/debug/pprof/trace?seconds=1: an execution trace"
"$bin" show "$A" >/dev/null 2>&1 &&
	"$bin" diff $F/a/00.pb.gz "$A" >"$t/diff" 2>&1 &&
	grep -q '^+8 goroutines' "$t/diff" &&
	grep -q "^  after:  $A/debug/pprof/goroutine, pprof, 39 goroutines" "$t/diff"
ok $? "diff FILE URL: a saved capture against the live service"

# Errors of a lone source: exit 1, the URL and the reason.
err_case() { # what pattern url...
	local what=$1 pat=$2
	shift 2
	"$bin" show "$@" >"$t/e.out" 2>"$t/e.err"
	st=$?
	[ $st = 1 ] && [ ! -s "$t/e.out" ] && grep -q -- "$pat" "$t/e.err"
	ok $? "$what: exit 1, $(head -c 150 "$t/e.err")"
}
err_case "refused" "^goroscope: http://127.0.0.1:1/debug/pprof/goroutine: cannot fetch: failed to connect" \
	http://127.0.0.1:1
err_case "timeout" "^goroscope: $A/hang: cannot fetch: operation timed out .*(see --timeout)" \
	--timeout 300ms "$A/hang"
err_case "404" "^goroscope: $A/404: HTTP 404 (404 page not found)$" "$A/404"
err_case "an HTML page" "^goroscope: $A/html: text without goroutines: .*(HTTP 200, text/html; charset=utf-8)$" \
	"$A/html"
err_case "a body cut short" "^goroscope: $A/cut: cannot fetch: transfer closed with 99900 bytes remaining" \
	"$A/cut"
err_case "a redirect loop" "^goroscope: $A/loop: too many redirects (more than 5)$" "$A/loop"
err_case "TLS to a plain HTTP port" "^goroscope: https://127.0.0.1:$port_a/debug/pprof/goroutine: cannot fetch: .*SSL" \
	"https://127.0.0.1:$port_a"
err_case "401 without the header" "^goroscope: $A/auth/debug/pprof/goroutine: HTTP 401 (Unauthorized)$" \
	"$A/auth/debug/pprof/goroutine"

# --- watch ----------------------------------------------------------------------

serve w $F/a
A=http://127.0.0.1:$port_w
port_a=$port_w

# Without a terminal: one trend report per interval.
"$bin" watch --count 3 --interval 200ms --limit 2 "$A" >"$t/watch.out" 2>&1
st=$?
[ $st = 0 ] && [ "$(grep -c '^goroscope trend: ' "$t/watch.out")" = 3 ] &&
	grep -q '^goroscope trend: 3 snapshots, ordered by capture time' "$t/watch.out" &&
	grep -q '^!  .* chan send .*main.enrich' "$t/watch.out"
ok $? "watch without a terminal: 3 trend reports, the leak marked in the last"
sed "s/127.0.0.1:$port_a/127.0.0.1:PORT/g" "$t/watch.out" |
	tail -n +$(($(grep -n '^goroscope trend: 3 snapshots' "$t/watch.out" | cut -d: -f1))) \
		>"$t/watch.last"
# (UPDATE=1 rewrites it: read the change by eye before committing it.)
[ -n "${UPDATE:-}" ] && cp "$t/watch.last" tests/capture/watch-last.txt
cmp -s "$t/watch.last" tests/capture/watch-last.txt
st=$?
ok $st "its last report as tests/capture/watch-last.txt"
[ $st = 0 ] || diff tests/capture/watch-last.txt "$t/watch.last" | head -20 | sed 's/^/# /'

# Under a pseudo-terminal: the full screen, q quits, the terminal restored.
r=$(python3 tests/pty_run.py "$t/pty.out" "main.enrich" q -- \
	"$bin" watch --interval 200ms "$A")
[ "$r" = "exit 0" ]
ok $? "watch on a terminal: q quits, exit 0 ($r)"
python3 - "$t/pty.out" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
assert d.startswith(b'\x1b[?1049h\x1b[?25l'), 'enters the alternate screen'
assert b'goroscope watch: 1 URL every 200ms' in d, 'the status line'
assert b'q quits' in d and b'main.enrich' in d, 'the groups'
assert d.rstrip(b'\r\n').endswith(b'\x1b[?25h\x1b[?1049l'), 'restores the screen'
PY
ok $? "the first screen shows the status line and the groups; the screen is restored"
r=$(python3 tests/pty_run.py "$t/pty2.out" "main.enrich" "^C" -- \
	"$bin" watch --interval 200ms "$A")
python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(not d.rstrip(b"\r\n").endswith(b"\x1b[?25h\x1b[?1049l"))' "$t/pty2.out"
ok $? "^C: the terminal restored too ($r)"
"$bin" watch --count 2 --interval 100ms --save "$t/watch.gsnap" "$A" >/dev/null 2>&1 &&
	[ "$("$bin" convert --to json "$t/watch.gsnap" | grep -c '"goroutine_records"')" = 2 ]
ok $? "watch --save: every snapshot appended to the series"

# --- usage ---------------------------------------------------------------------

"$bin" capture "$A" >/dev/null 2>"$t/u1"
[ $? = 2 ] && grep -q 'give -o FILE' "$t/u1"
ok $? "capture without -o: usage error"
"$bin" capture -o "$t/x.gsnap" testdata/captures/fleet/a/00.pb.gz >/dev/null 2>"$t/u2"
[ $? = 2 ] && grep -q "is not an http:// or https:// URL" "$t/u2" && [ ! -e "$t/x.gsnap" ]
ok $? "capture of a file: usage error, nothing written"
"$bin" capture --debug 3 -o "$t/x.gsnap" "$A" >/dev/null 2>"$t/u3"
[ $? = 2 ] && grep -q -- "--debug: expected 0, 1 or 2, got '3'" "$t/u3"
ok $? "capture --debug 3: usage error"
"$bin" capture --interval 1 -o "$t/x.gsnap" "$A" >/dev/null 2>"$t/u4"
[ $? = 2 ] && grep -q -- "--interval" "$t/u4"
ok $? "capture --interval 1 (no unit): usage error"
"$bin" capture --instance x -o "$t/x.gsnap" "$A" "$B" >/dev/null 2>"$t/u5"
[ $? = 2 ] && grep -q -- "several URLs are several instances" "$t/u5"
ok $? "capture --instance with two URLs: usage error"

tap_end
