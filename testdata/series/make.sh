#!/bin/sh
# Regenerates testdata/series from the real captures of testdata/captures:
# the ways people put several captures together, for the golden cases.
#
#   fleet.gsnap            instance a (testdata/captures/fleet/a/*.pb.gz,
#                          --meta host=a) and instance b (the same of b/)
#                          merged into one series, as `convert a.gsnap
#                          b.gsnap -o fleet.gsnap` does
#   appended.debug2.txt    four debug=2 dumps of instance a appended, as
#                          `curl ...?debug=2 >> FILE` leaves them
#   appended.debug1.txt    the same moments as debug=1 profiles
#   appended.pb.gz         the same moments as gzipped pprof profiles
#                          (one gzip member each, as `curl >>` leaves them)
#   appended-torn.pb.gz    the same, then the first 1000 bytes of the next
#                          (an append that did not finish)
#   two-tracebacks.txt     a log holding a panic and, later, a SIGQUIT
#                          (GOTRACEBACK=crash) dump of other runs
#
# Needs a built goroscope (GOROSCOPE, default ./goroscope at the top of the
# tree) for fleet.gsnap; run from anywhere.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
g=${GOROSCOPE:-$top/goroscope}
cd "$top"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$g" convert --meta host=a testdata/captures/fleet/a/*.pb.gz -o "$tmp/a.gsnap"
"$g" convert --meta host=b testdata/captures/fleet/b/*.pb.gz -o "$tmp/b.gsnap"
"$g" convert "$tmp/a.gsnap" "$tmp/b.gsnap" -o "$here/fleet.gsnap"
cat testdata/captures/fleet/a/0[0-3].debug2.txt >"$here/appended.debug2.txt"
cat testdata/captures/fleet/a/0[0-3].debug1.txt >"$here/appended.debug1.txt"
cat testdata/captures/fleet/a/0[0-3].pb.gz >"$here/appended.pb.gz"
{
	cat "$here/appended.pb.gz"
	head -c 1000 testdata/captures/fleet/a/04.pb.gz
} >"$here/appended-torn.pb.gz"
{
	cat testdata/captures/dumps/panic_all.txt
	printf '2026/11/28 10:00:05 supervisor: restarting after exit status 2\n'
	cat testdata/captures/dumps/sigquit_crash.txt
} >"$here/two-tracebacks.txt"
