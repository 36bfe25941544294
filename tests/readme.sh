#!/bin/sh
# Keep the README's examples true: run every "$ goroscope ..." command in
# its fenced blocks and compare what it prints with the lines that follow
# it in the block. Commands of other tools ("$ go tool pprof") are shown
# but not run. Commands run in a scratch directory that holds a link to
# testdata/, so examples that write files leave nothing behind; $GOROSCOPE
# names the binary (default ./goroscope). TAP output. UPDATE=1 rewrites the
# README's example outputs with what the commands print (review the diff).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
readme=$top/README.md
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
ln -s "$top/testdata" "$scratch/testdata"
mkdir "$scratch/bin"
ln -s "${GOROSCOPE:-$top/goroscope}" "$scratch/bin/goroscope"

# Split the README into numbered example files: cmd.N and want.N.
awk -v dir="$scratch" '
/^```/ {
	if (inblock) { inblock = 0; cmd = 0; next }
	inblock = 1; cmd = 0; next
}
inblock && /^\$ / {
	cmd = 0
	line = substr($0, 3)
	if (line ~ /^goroscope( |$)/) {
		n++
		cmd = 1
		print line > (dir "/cmd." n)
		printf "" > (dir "/want." n)
	}
	next
}
inblock && cmd { print > (dir "/want." n) }
END { print n + 0 > (dir "/count") }
' "$readme"

count=$(cat "$scratch/count")
if [ "$count" -eq 0 ]; then
	echo "not ok 1 - README.md has goroscope examples"
	echo "1..1"
	exit 1
fi
fail=0
i=1
while [ "$i" -le "$count" ]; do
	cmd=$(cat "$scratch/cmd.$i")
	(cd "$scratch" && PATH="$scratch/bin:$PATH" NO_COLOR=1 sh -c "$cmd") \
		>"$scratch/got.$i" 2>&1
	if cmp -s "$scratch/want.$i" "$scratch/got.$i"; then
		echo "ok $i - $cmd"
	else
		echo "not ok $i - $cmd"
		diff -u "$scratch/want.$i" "$scratch/got.$i" | head -40 |
			sed 's/^/# /'
		fail=1
	fi
	i=$((i + 1))
done
echo "1..$count"
if [ "${UPDATE:-0}" = 1 ]; then
	awk -v dir="$scratch" '
	/^```/ {
		if (inblock) { inblock = 0; skip = 0; print; next }
		inblock = 1; skip = 0; print; next
	}
	inblock && /^\$ / {
		skip = 0
		print
		if (substr($0, 3) ~ /^goroscope( |$)/) {
			n++
			while ((getline l < (dir "/got." n)) > 0)
				print l
			skip = 1
		}
		next
	}
	inblock && skip { next }
	{ print }
	' "$readme" >"$scratch/README.new" && cp "$scratch/README.new" "$readme"
	exit 0
fi
exit $fail
