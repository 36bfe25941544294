#!/usr/bin/env bash
# Every golden DOT output (testdata/cases/*/expected that is a digraph) is a
# graph Graphviz lays out: `dot -Tsvg` accepts it. Runs when Graphviz is
# installed (CI installs it), and says it skipped otherwise. Speaks TAP.
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
if ! command -v dot >/dev/null 2>&1; then
	echo "1..0 # SKIP graphviz (dot) is not installed"
	exit 0
fi
n=0
failed=0
for f in testdata/cases/*/expected; do
	head -c 7 "$f" | grep -q '^digraph' || continue
	n=$((n + 1))
	if out=$(timeout 60 dot -Tsvg "$f" 2>&1 >/dev/null) && [ -z "$out" ]; then
		echo "ok $n - dot -Tsvg $f"
	else
		echo "not ok $n - dot -Tsvg $f: $out"
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$n" -gt 0 ] && [ $failed = 0 ]
