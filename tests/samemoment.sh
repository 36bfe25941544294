#!/bin/sh
# The same goroutines are one group in every format (DESIGN.md section 4):
# testdata/captures/samemoment holds one moment of one process as a
# debug=2 dump beside a SIGQUIT traceback (GOTRACEBACK unset, system and
# crash, one process each), a debug=1 and a pprof profile, and an execution
# trace up to a dump's moment. Every blocked group (but main's: it writes
# the profiles, then sleeps) has the same id and count in each. TAP output.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
cd "$root" || exit 1
d=testdata/captures/samemoment
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
. tests/tap.sh

# groups FILE [OPTION...]: "id count state" of each blocked group but
# main's, sorted.
groups() {
	f=$1
	shift
	"$bin" show -f json --limit 0 "$@" "$f" 2>/dev/null | python3 -c '
import json, sys
for g in json.load(sys.stdin)["groups"]:
    if g["blocked"] and not any(f["func"] == "main.main" for f in g["stack"]):
        print(g["id"], g["counts"][-1], g["state"])' | sort
}

same() { # A B WHAT [OPTION...]: the blocked groups of A and B agree
	a=$1 b=$2 what=$3
	shift 3
	groups "$d/$a" "$@" >"$t/a"
	groups "$d/$b" "$@" >"$t/b"
	# Ids and counts; states too where both formats name them.
	cut -d' ' -f1,2 "$t/a" >"$t/a2"
	cut -d' ' -f1,2 "$t/b" >"$t/b2"
	if [ -s "$t/a2" ] && cmp -s "$t/a2" "$t/b2"; then
		ok 0 "$what: the same $(wc -l <"$t/a2") blocked groups, ids and counts"
	else
		diff "$t/a" "$t/b" | sed 's/^/# /'
		ok 1 "$what: the same blocked groups, ids and counts"
	fi
}

same quit.debug2.txt sigquit.txt "debug=2 and the SIGQUIT traceback of one process"
same system.debug2.txt system.txt "debug=2 and GOTRACEBACK=system"
same crash.debug2.txt crash.txt "debug=2 and GOTRACEBACK=crash"
same quit.debug2.txt quit.debug1.txt "debug=2 and debug=1 of one moment"
same quit.debug2.txt quit.pb.gz "debug=2 and pprof of one moment"
same trace.debug2.txt run.trace "debug=2 and the trace ending at its moment"
same quit.debug2.txt sigquit.txt "the same under --group-by func" --group-by func
same quit.debug2.txt quit.pb.gz "debug=2 and pprof under --group-by func" --group-by func

# The waits the trace records fewer frames of keep their dump's state.
groups "$d/trace.debug2.txt" >"$t/a"
groups "$d/run.trace" >"$t/b"
cmp -s "$t/a" "$t/b" && grep -q "sync.Mutex.Lock" "$t/b" && grep -q "IO wait" "$t/b"
ok $? "the trace names its sync and IO waits as the dump does (sync.Mutex.Lock, not semacquire)"

# diff of a debug=2 dump and a SIGQUIT traceback: nothing new or gone
# but main.
"$bin" diff "$d/quit.debug2.txt" "$d/sigquit.txt" >"$t/diff"
grep -q '^+0 goroutines: .* 1 new, 1 gone' "$t/diff"
ok $? "diff debug=2 SIGQUIT: only main's goroutine new and gone ($(tail -1 "$t/diff"))"

"$bin" show "$d/system.txt" | head -1 | grep -q '; 5 system goroutines .*left out'
ok $? "GOTRACEBACK=system: the runtime's 5 own goroutines left out, as debug=2 leaves them"

tap_end
