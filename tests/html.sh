#!/bin/sh
# The HTML page (-f html) of show, diff, trend and report: well-formed,
# self-contained (nothing fetched), names from the input escaped, and, in a
# real headless browser (Debian's chromium), the page's text (suspect
# names and counts, read from the DOM after its script ran) and a
# screenshot. Without a browser the browser checks are reported as
# skipped, with the reason; the rest still runs. TAP output.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${GOROSCOPE:-$top/goroscope}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT INT TERM
cd "$top" || exit 1
n=0
fail=0

ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	echo "not ok $n - $1"
	fail=1
}
check() { # description, then a command
	d=$1
	shift
	if "$@" >"$scratch/out" 2>&1; then ok "$d"; else
		not_ok "$d"
		sed 's/^/# /' "$scratch/out" | head -20
	fi
}

# Well-formed (every element closed in order) and self-contained.
cat >"$scratch/lint.py" <<'EOF'
import re, sys
from html.parser import HTMLParser

VOID = {"meta", "br", "img", "hr", "input", "link", "wbr", "col", "area",
        "base", "source", "track", "embed", "param"}

class Lint(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.errors, self.text = [], [], []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href", "xlink:href", "action", "data") and \
                    v is not None and not v.startswith("#"):
                self.errors.append("external reference %s=%r" % (k, v))
            if k.startswith("on"):
                self.errors.append("inline handler %s" % k)
        if tag in ("link", "iframe", "object", "embed", "img"):
            self.errors.append("<%s> element" % tag)
        if tag == "script" and any(k == "src" for k, _ in attrs):
            self.errors.append("external script")
        if tag not in VOID:
            self.stack.append(tag)
    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s> at line %d" %
                               (tag, self.stack[-1] if self.stack else "",
                                self.getpos()[0]))
            return
        self.stack.pop()
    def handle_data(self, d):
        self.text.append(d)

page = open(sys.argv[1], encoding="utf-8").read()
p = Lint()
p.feed(page)
p.close()
if p.stack:
    p.errors.append("unclosed: %s" % " ".join(p.stack))
for m in re.finditer(r"url\(\s*['\"]?([^)'\"]*)", page):
    if not m.group(1).startswith("#"):
        p.errors.append("url(%s)" % m.group(1))
if "@import" in page:
    p.errors.append("@import")
if not page.startswith("<!DOCTYPE html>"):
    p.errors.append("no doctype")
for e in p.errors:
    print(e)
sys.exit(1 if p.errors else 0)
EOF
lint() { python3 "$scratch/lint.py" "$1"; }

# Does the file hold every one of the strings that follow?
has_all() {
	f=$1
	shift
	for s in "$@"; do
		if ! grep -qF -- "$s" "$f"; then
			echo "missing: $s"
			return 1
		fi
	done
}

leaky=testdata/captures/leaky
"$bin" report -f html -o "$scratch/report.html" $leaky/*.debug2.txt
check "report -f html exits 0 and writes the page" test -s "$scratch/report.html"
"$bin" show -f html -o "$scratch/show.html" $leaky/05.debug2.txt
check "show -f html writes the page" test -s "$scratch/show.html"
"$bin" diff -f html -o "$scratch/diff.html" $leaky/00.pb.gz $leaky/05.pb.gz
check "diff -f html writes the page" test -s "$scratch/diff.html"
"$bin" trend -f html -o "$scratch/fleet.html" testdata/series/fleet.gsnap
check "trend -f html of a fleet writes the page" test -s "$scratch/fleet.html"
"$bin" trend -f html -o "$scratch/trace.html" \
	testdata/captures/traces/go1.26.trace
check "trend -f html of a trace writes the page" test -s "$scratch/trace.html"

for p in report show diff fleet trace; do
	check "$p page is well-formed and references nothing outside it" \
		lint "$scratch/$p.html"
done

check "report page: verdict, every suspect's blocking frame, the graph" \
	has_all "$scratch/report.html" \
	"6 leak suspects among 13 groups" \
	"36 goroutines, sync.WaitGroup.Wait" \
	"main.selectNeverClosedWaiter" "main.sendAfterTimeoutWorker" \
	"main.abandonedConsumer" "sync.(*Mutex).Lock" "main.slowLeakWaiter" \
	"30 of its 36 goroutines stayed" '<svg width=' "--min-growth"
check "fleet page: the fleet table and a section per instance" \
	has_all "$scratch/fleet.html" "<h2>Fleet</h2>" \
	"<h2>Instance a</h2>" "<h2>Instance b</h2>"
check "diff page: two snapshots are one step, no suspect" \
	has_all "$scratch/diff.html" "0 leak suspects" \
	"two steps or more"

# A name made to break out of the markup stays text.
python3 tests/pprof_make.py '{"samples": [{"count": 4, "stack": [(b"main.f<script>alert(1)</script>\x1b[2J", "a\"b.go", 7), ("runtime.gopark", "proc.go", 1)]}], "time_nanos": 0}' \
	"$scratch/hostile.pb.gz"
"$bin" show -f html -o "$scratch/hostile.html" "$scratch/hostile.pb.gz"
check "hostile names: the page is well-formed" lint "$scratch/hostile.html"
check "hostile names: markup escaped, control bytes shown as \\x1b" \
	has_all "$scratch/hostile.html" \
	'main.f&lt;script&gt;alert(1)&lt;/script&gt;\x1b[2J'
if grep -q '<script>alert' "$scratch/hostile.html"; then
	not_ok "hostile names: no raw <script> from the input"
else
	ok "hostile names: no raw <script> from the input"
fi

# A failed write leaves no page behind.
if "$bin" report -f html -o "$scratch/nodir/x.html" $leaky/*.pb.gz \
	2>"$scratch/err"; then
	not_ok "an unwritable -o fails"
else
	ok "an unwritable -o fails"
fi

browser=""
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$b
		break
	fi
done
browse() { # URL, then chromium options
	u=$1
	shift
	HOME=$scratch timeout 60 "$browser" --headless --no-sandbox \
		--disable-gpu --no-first-run --disable-extensions \
		--user-data-dir="$scratch/profile" "$@" "$u" 2>/dev/null
}
if [ -z "$browser" ]; then
	for t in "DOM of the report" "script ran" "screenshot"; do
		n=$((n + 1))
		echo "ok $n # SKIP no headless browser (install chromium)"
	done
else
	browse "file://$scratch/report.html" --dump-dom \
		>"$scratch/dom.html"
	check "browser: the DOM holds the verdict, the suspects and counts" \
		has_all "$scratch/dom.html" \
		"6 leak suspects among 13 groups" \
		"36 goroutines, sync.WaitGroup.Wait" \
		"30 goroutines, select" "24 goroutines, chan send" \
		"18 goroutines, chan receive" "12 goroutines, sync.Mutex.Lock" \
		"6 goroutines, chan receive"
	# The script makes the column headers focusable: it ran.
	check "browser: the sorting script ran without error" \
		has_all "$scratch/dom.html" '<th class="num" tabindex="0">Count</th>'
	browse "file://$scratch/report.html" --hide-scrollbars \
		--window-size=1280,1600 --screenshot="$scratch/shot.png" \
		>/dev/null
	check "browser: a screenshot of the page" \
		python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
sys.exit(0 if d[:8] == b"\x89PNG\r\n\x1a\n" and len(d) > 20000 else 1)' \
		"$scratch/shot.png"
fi
echo "1..$n"
exit $fail
