# Compare two per-goroutine summaries of one trace: Go's (tracecheck), then
# goroscope's (tracesum). Exact: created, parent, start (generic type
# arguments as [...]), blocks, end, state, reason; within 2 us: creation and
# end times; blocked time within 2 us a wait plus 20 us (Go's reader ends the
# trace at the last event it converts, a few us before the last one written).
# Prints each difference; exits 1 when there is one.
function canon(s) { gsub(/\[[^]]*\]/, "[...]", s); return s }
function parse(line, a,   n, i, f, kv) {
	# reason, the last field, may hold spaces
	a["reason"] = substr(line, index(line, " reason=") + 8)
	line = substr(line, 1, index(line, " reason=") - 1)
	n = split(line, f, " ")
	for (i = 1; i <= n; i++) {
		split(f[i], kv, "=")
		a[kv[1]] = substr(f[i], length(kv[1]) + 2)
	}
}
function near(x, y, tol) {
	if (x == "-" || y == "-") return x == y
	d = x - y; if (d < 0) d = -d
	return d <= tol
}
NR == FNR { go[$1] = $0; next }
{
	if (!($1 in go)) { print "only in goroscope: " $0; bad++; next }
	delete A; delete B
	parse(go[$1], A); parse($0, B)
	msg = ""
	split("created parent blocks end state reason", exact, " ")
	for (k in exact) if (A[exact[k]] != B[exact[k]]) msg = msg " " exact[k]
	if (canon(A["start"]) != canon(B["start"])) msg = msg " start"
	if (!near(A["created_us"], B["created_us"], 2)) msg = msg " created_us"
	if (!near(A["end_us"], B["end_us"], 2)) msg = msg " end_us"
	if (!near(A["blocked_us"], B["blocked_us"], 2 * A["blocks"] + 20)) msg = msg " blocked_us"
	if (msg != "") { print "differs (" substr(msg, 2) "):\n  go:        " go[$1] "\n  goroscope: " $0; bad++ }
	seen[$1] = 1
}
END {
	for (g in go) if (!(g in seen)) { print "only in Go's reader: " go[g]; bad++ }
	exit bad > 0
}
