#!/usr/bin/env bash
# Golden cases, one folder each under testdata/cases/NAME:
#   args      the command line after "goroscope" (shell words; run from
#             the top of the tree, with $OUT naming a file in a fresh,
#             empty folder)
#   expected  the exact standard output
#   stderr    the exact standard error (absent: must be empty)
#   status    the exit status (absent: 0)
#   stdin     fed to standard input (absent: /dev/null)
#   outfile   the exact content $OUT must have; when absent, the command
#             must leave nothing at all in $OUT's folder
# A case that reads an execution trace runs twice, the second time with
# GOROSCOPE_THREADS=1: the trace reader's threads must not change a byte.
# Speaks TAP for prove. `tests/golden.sh --update [NAME...]` rewrites the
# expectations from the current binary: read every changed file by eye
# before committing it.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$root/goroscope}
update=0
if [ "${1:-}" = "--update" ]; then
	update=1
	shift
fi
cd "$root" || exit 1
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

if [ $# -gt 0 ]; then
	cases=("$@")
else
	cases=()
	for d in testdata/cases/*/; do
		cases+=("$(basename "$d")")
	done
fi

runs=()
for name in "${cases[@]}"; do
	runs+=("$name")
	if [ $update = 0 ] && { grep -q 'trace' "testdata/cases/$name/args" ||
		head -c 16 "testdata/cases/$name/stdin" 2>/dev/null |
		grep -aq '^go 1\.[0-9]* trace'; }; then
		runs+=("$name@1")
	fi
done

n=0
failed=0
for run in "${runs[@]}"; do
	name=${run%@1}
	threads=
	[ "$run" != "$name" ] && threads=1
	dir=testdata/cases/$name
	n=$((n + 1))
	rm -rf "$scratch/run" "$scratch/outdir"
	mkdir -p "$scratch/run" "$scratch/outdir"
	stdin=/dev/null
	[ -f "$dir/stdin" ] && stdin=$dir/stdin
	args=$(cat "$dir/args")
	OUT=$scratch/outdir/out
	(
		export OUT
		eval "set -- $args"
		[ -n "$threads" ] && export GOROSCOPE_THREADS=$threads
		exec env -u NO_COLOR TERM=dumb COLUMNS=100 "$bin" "$@" \
			<"$stdin" >"$scratch/run/stdout" 2>"$scratch/run/stderr"
	)
	echo $? >"$scratch/run/status"
	# Paths of the scratch folder vary: show them as $OUT.
	sed -i "s|$scratch/outdir/out|\$OUT|g" "$scratch/run/stdout" \
		"$scratch/run/stderr"
	if [ $update = 1 ]; then
		cp "$scratch/run/stdout" "$dir/expected"
		if [ -s "$scratch/run/stderr" ]; then
			cp "$scratch/run/stderr" "$dir/stderr"
		else
			rm -f "$dir/stderr"
		fi
		if [ "$(cat "$scratch/run/status")" = 0 ]; then
			rm -f "$dir/status"
		else
			cp "$scratch/run/status" "$dir/status"
		fi
		if [ -f "$OUT" ]; then
			cp "$OUT" "$dir/outfile"
		else
			rm -f "$dir/outfile"
		fi
		echo "ok $n - $name (updated)"
		continue
	fi
	why=""
	want_status=0
	[ -f "$dir/status" ] && want_status=$(cat "$dir/status")
	if [ "$(cat "$scratch/run/status")" != "$want_status" ]; then
		why="exit status $(cat "$scratch/run/status"), want $want_status"
	elif ! cmp -s "$scratch/run/stdout" "$dir/expected"; then
		why="stdout differs"
		diff -u "$dir/expected" "$scratch/run/stdout" | head -40 |
			sed 's/^/# /'
	elif [ -f "$dir/stderr" ] &&
		! cmp -s "$scratch/run/stderr" "$dir/stderr"; then
		why="stderr differs"
		diff -u "$dir/stderr" "$scratch/run/stderr" | head -20 |
			sed 's/^/# /'
	elif [ ! -f "$dir/stderr" ] && [ -s "$scratch/run/stderr" ]; then
		why="unexpected stderr"
		head -5 "$scratch/run/stderr" | sed 's/^/# /'
	elif [ -f "$dir/outfile" ] && ! cmp -s "$OUT" "$dir/outfile"; then
		why="output file differs or is missing"
	elif [ ! -f "$dir/outfile" ] &&
		[ -n "$(ls -A "$scratch/outdir")" ]; then
		why="left files behind: $(ls -A "$scratch/outdir" | tr '\n' ' ')"
	elif [ -f "$dir/outfile" ] &&
		[ "$(ls -A "$scratch/outdir")" != "out" ]; then
		why="left other files behind: $(ls -A "$scratch/outdir" | tr '\n' ' ')"
	fi
	[ -n "$threads" ] && name="$name (GOROSCOPE_THREADS=1)"
	if [ -z "$why" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: $why"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ $failed = 0 ]
