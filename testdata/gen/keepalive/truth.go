package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
)

// A row of the known answers: one population of the server, counted in the
// debug=2 capture of every moment.
type row struct {
	name    string
	kind    string   // leak, noise, other (the captures' own goroutines and the link to the parent)
	markers []string // a goroutine belongs to the row if one of these is in its stack...
	state   string   // ...and its status is this ("" = any state)
	leak    bool
	note    string

	counts   []int
	states   map[string]int // observed status words
	blocking map[string]int // observed first frames
}

// The rows in the order a goroutine is matched against them. The leak rows
// come first, so that a planted leak is counted only in its blocked state;
// the same function in another state (still running, or still waiting for
// its handler to return) is counted by the row after it.
func table(leak bool, moments int) []*row {
	kind := "noise"
	if leak {
		kind = "leak"
	}
	var noLeak string
	if !leak {
		noLeak = " Without -leak the goroutine ends; a non-zero count is one caught before it ended."
	}
	rs := []*row{
		{name: "quoteLeak", kind: kind, markers: []string{"main.lateQuoteSender"}, state: "chan send", leak: leak,
			note: "(a) one per GET /api/quote: `out <- q` on the unbuffered channel of a handler that gave up after 2 ms and returned." + noLeak},
		{name: "quotePending", kind: "noise", markers: []string{"main.lateQuoteSender", "main.(*server).handleQuote.gowrap1"},
			note: "main.lateQuoteSender before its send: waiting for the request context, which ends when the handler returns (2 ms)"},
		{name: "subscriptionLeak", kind: kind, markers: []string{"main.watchSubscription"}, state: "select", leak: leak,
			note: "(b) two per GET /api/subscribe: select on an event channel nobody sends on and a done channel nobody closes." + noLeak},
		{name: "subscriptionOther", kind: "noise", markers: []string{"main.watchSubscription", "main.(*server).handleSubscribe.gowrap1"},
			note: "main.watchSubscription not yet in select"},
		{name: "reportLockLeak", kind: kind, markers: []string{"main.flushReport"}, state: "sync.Mutex.Lock", leak: leak,
			note: "(c) one per POST /api/report: `rep.mu.Lock()` on the report's mutex, which the handler locked and (with -leak) never unlocks." + noLeak},
		{name: "reportOther", kind: "noise", markers: []string{"main.flushReport", "main.(*server).handleReport.gowrap1"},
			note: "main.flushReport not (yet) in sync.Mutex.Lock"},
		{name: "batchWaitLeak", kind: kind, markers: []string{"main.awaitBatch"}, state: "sync.WaitGroup.Wait", leak: leak,
			note: "(d) one per POST /api/batch: `wg.Wait()` on a WaitGroup given one Add too many (with -leak)." + noLeak},
		{name: "batchOther", kind: "noise", markers: []string{"main.awaitBatch", "main.(*server).handleBatch.gowrap2"},
			note: "main.awaitBatch not (yet) in sync.WaitGroup.Wait"},
		{name: "upstreamReadLeak", kind: kind, markers: []string{"main.readUpstreamBanner"}, state: "IO wait", leak: leak,
			note: "(e) one per tick of main.(*server).tickerLoop (250 ms): reads the internal upstream's banner with no deadline; with -leak the upstream accepts and never writes." + noLeak},
		{name: "upstreamReadOther", kind: "noise", markers: []string{"main.readUpstreamBanner", "main.(*server).probeUpstream.gowrap1"},
			note: "main.readUpstreamBanner not (yet) in IO wait"},

		{name: "captureHandler", kind: "other", markers: []string{"net/http/pprof.handler.ServeHTTP"},
			note: "the connection goroutine serving the capture (net/http/pprof writing the profile)"},
		{name: "traceHandler", kind: "other", markers: []string{"net/http/pprof.Trace"},
			note: "the connection goroutine serving GET /debug/pprof/trace, waiting out its seconds"},
		{name: "traceReader", kind: "other", markers: []string{"runtime/trace.(*traceMultiplexer).startLocked.func1", "runtime.ReadTrace"},
			note: "runtime/trace's reader, copying the trace to the trace request's response"},
		{name: "connBackgroundRead", kind: "noise", markers: []string{"net/http.(*connReader).backgroundRead", "net/http.(*connReader).startBackgroundRead.gowrap2"},
			note: "net/http's background read on a connection whose handler is running: one per request in flight (the capture's and the trace's included)"},

		{name: "inflightItems", kind: "noise", markers: []string{"main.(*server).handleItems"},
			note: "GET /api/items in flight (mutex, pool round trip, 1-3 ms sleep)"},
		{name: "inflightSearch", kind: "noise", markers: []string{"main.(*server).handleSearch"},
			note: "GET /api/search in flight, waiting for its shards"},
		{name: "searchShards", kind: "noise", markers: []string{"main.searchShard", "main.(*server).handleSearch.gowrap1"},
			note: "2-3 per GET /api/search, 1 ms each"},
		{name: "inflightExport", kind: "noise", markers: []string{"main.(*server).handleExport"},
			note: "GET /api/export in flight (3 chunks, 12-24 ms)"},
		{name: "inflightWatch", kind: "noise", markers: []string{"main.(*server).handleWatch"},
			note: "GET /api/watch in flight: a long poll, select on a change channel and a 100-300 ms timer"},
		{name: "inflightQuote", kind: "noise", markers: []string{"main.(*server).handleQuote"},
			note: "GET /api/quote in flight (2 ms budget)"},
		{name: "inflightOther", kind: "noise", markers: []string{"main.(*server).handleSubscribe", "main.(*server).handleReport", "main.(*server).handleBatch", "main.handleHealthz"},
			note: "the other handlers in flight (microseconds each)"},
		{name: "batchItems", kind: "noise", markers: []string{"main.processBatchItem", "main.(*server).handleBatch.gowrap1"},
			note: "3 per POST /api/batch, microseconds each"},
		{name: "idleKeepAlive", kind: "noise", markers: []string{"bufio.(*Reader).Peek"}, state: "IO wait",
			note: "a keep-alive connection between two requests: net/http's (*conn).serve in `c.bufr.Peek(4)`"},
		{name: "connOther", kind: "noise", markers: []string{"net/http.(*conn).serve", "net/http.(*Server).Serve.gowrap"},
			note: "a connection goroutine outside any handler and not idle: reading a request, finishing a response, or not yet started"},

		{name: "poolWorkers", kind: "noise", markers: []string{"main.poolWorker"},
			note: "4 workers: `for j := range jobs`"},
		{name: "tickerLoop", kind: "noise", markers: []string{"main.(*server).tickerLoop"},
			note: "select on a 250 ms ticker; each tick a short mutex section and an upstream dial"},
		{name: "upstreamAccept", kind: "noise", markers: []string{"main.(*server).upstreamServe"},
			note: "the internal upstream's accept loop"},
		{name: "acceptLoop", kind: "noise", markers: []string{"main.runServer"},
			note: "the main goroutine in `srv.Serve(ln)`, accepting"},
		{name: "parentWatch", kind: "other", markers: []string{"main.watchParent"},
			note: "reads the stdin pipe from the parent, exits the process at end of file"},
	}
	for _, r := range rs {
		r.counts = make([]int, moments)
		r.states = map[string]int{}
		r.blocking = map[string]int{}
	}
	return rs
}

type gblock struct {
	id, status string
	funcs      []string // frame functions, leaf first (no created-by)
}

func parseDebug2(s string) ([]gblock, error) {
	var out []gblock
	for _, blk := range strings.Split(strings.TrimRight(s, "\n"), "\n\n") {
		lines := strings.Split(blk, "\n")
		h := lines[0]
		if !strings.HasPrefix(h, "goroutine ") || !strings.HasSuffix(h, "]:") {
			return nil, fmt.Errorf("bad header %q", h)
		}
		i := strings.Index(h, " [")
		g := gblock{id: h[len("goroutine "):i]}
		st := h[i+2 : len(h)-2]
		if j := strings.Index(st, ", "); j >= 0 {
			st = st[:j]
		}
		g.status = st
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "\t") || strings.HasPrefix(l, "created by ") {
				continue
			}
			if k := strings.LastIndex(l, "("); k > 0 {
				g.funcs = append(g.funcs, l[:k])
			}
		}
		out = append(out, g)
	}
	return out, nil
}

func contains(fs []string, f string) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// has: one of the row's markers is in funcs. A marker ending in ".gowrap"
// stands for the compiler's wrappers of a go statement (.gowrap1, ...): a
// goroutine that has not run yet shows only that frame.
func (r *row) has(funcs []string) bool {
	for _, m := range r.markers {
		if strings.HasSuffix(m, ".gowrap") {
			for _, f := range funcs {
				if strings.HasPrefix(f, m) {
					return true
				}
			}
		} else if contains(funcs, m) {
			return true
		}
	}
	return false
}

func classify(rows []*row, g gblock) *row {
	for _, r := range rows {
		if r.has(g.funcs) && (r.state == "" || r.state == g.status) {
			return r
		}
	}
	return nil
}

// groundTruth counts every row at every moment from the debug=2 captures and
// checks the leaks: with -leak each planted leak never shrinks and grows
// by at least 3 and one every other moment; every goroutine belongs to a row.
func groundTruth(dir string, moments int, leak bool) ([]*row, error) {
	rows := table(leak, moments)
	for m := range moments {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%02d.debug2.txt", m)))
		if err != nil {
			return nil, err
		}
		gs, err := parseDebug2(string(b))
		if err != nil {
			return nil, fmt.Errorf("%02d.debug2.txt: %v", m, err)
		}
		for _, g := range gs {
			r := classify(rows, g)
			if r == nil {
				return nil, fmt.Errorf("%02d.debug2.txt: goroutine %s [%s] belongs to no row: %v", m, g.id, g.status, g.funcs)
			}
			r.counts[m]++
			r.states[g.status]++
			if len(g.funcs) > 0 {
				r.blocking[g.funcs[0]]++
			}
		}
	}
	for _, r := range rows {
		if !r.leak {
			continue
		}
		for m := 1; m < moments; m++ {
			if r.counts[m] < r.counts[m-1] {
				return nil, fmt.Errorf("leak %s shrank: %v", r.name, r.counts)
			}
		}
		if net := r.counts[moments-1] - r.counts[0]; net < 3 || net < moments/2 {
			return nil, fmt.Errorf("leak %s grew by less than one every other moment: %v", r.name, r.counts)
		}
	}
	return rows, nil
}

// present: rows written to expected.tsv: the leak rows and the constant
// rows always, the others only if seen.
func (r *row) present() bool {
	if r.kind == "leak" || strings.HasSuffix(r.name, "Leak") {
		return true
	}
	for _, c := range r.counts {
		if c > 0 {
			return true
		}
	}
	return false
}

// one returns the only key of m, or "*" if it has several (or "-" if none).
func one(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	if len(m) == 1 {
		for k := range m {
			return k
		}
	}
	return "*"
}

// keys lists m's keys, most frequent first, with their counts.
func keys(m map[string]int) string {
	type kv struct {
		k string
		v int
	}
	var v []kv
	for k, n := range m {
		v = append(v, kv{k, n})
	}
	sort.Slice(v, func(i, j int) bool {
		if v[i].v != v[j].v {
			return v[i].v > v[j].v
		}
		return v[i].k < v[j].k
	})
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%s ×%d", x.k, x.v))
	}
	return strings.Join(s, ", ")
}

func yn(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func (r *row) stateCol() string {
	if r.state != "" {
		return r.state
	}
	return one(r.states)
}

func writeTSV(dir string, rows []*row, moments int) {
	var b strings.Builder
	b.WriteString("# name\tkind\tmarker_func\tblocking_func\tstate")
	for m := range moments {
		fmt.Fprintf(&b, "\tc%02d", m)
	}
	b.WriteString("\tleak\n")
	for _, r := range rows {
		if !r.present() {
			continue
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s", r.name, r.kind, r.markers[0], one(r.blocking), r.stateCol())
		for _, c := range r.counts {
			fmt.Fprintf(&b, "\t%d", c)
		}
		fmt.Fprintf(&b, "\t%s\n", yn(r.leak))
	}
	write(dir, "expected.tsv", []byte(b.String()))
}

func ms(d interface{ Milliseconds() int64 }) int64 { return d.Milliseconds() }

func writeExpected(ri *runInfo, rows []*row) {
	var md strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&md, format, a...) }
	name := filepath.Base(ri.dir)
	p("# Known answers for `%s`\n\n", name)
	p("Written by `testdata/gen/keepalive` (built with %s, `-trimpath`, GOOS/GOARCH %s/%s, %d CPUs)\n", runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	p("together with the captures beside it; see `testdata/gen/README.md` and `../ACCURACY.md`.\n")
	p("Command: `keepalive -out %s", name)
	if ri.leak {
		p(" -leak")
	}
	if ri.stress {
		p(" -stress")
	}
	p("` (%d moments %v apart, %d load workers, warm-up %v).\n\n", ri.moments, ri.gap, ri.conns, ri.warm)
	if ri.leak {
		p("**Leak groups: exactly the five planted ones** (`leak` = yes below); nothing else is a leak.\n")
	} else {
		p("**No leak group.** The same endpoints and ticks run the same goroutines, and all of them end.\n")
	}
	if ri.stress {
		p("Captured while a third process (%q) kept every core busy.\n", ri.burnerLine)
	} else {
		p("No other load on the machine than the run's own processes.\n")
	}
	p("\nThe server was not made quiescent: these are captures of a live service under keep-alive\n")
	p("load from a separate client process, so requests are in flight at every moment and the\n")
	p("three formats of one moment (taken back to back) describe slightly different goroutines.\n")
	p("The counts below are those of the debug=2 captures; `NN.debug1.txt` and `NN.pb.gz` were\n")
	p("taken a few milliseconds earlier.\n\n")
	p("Files, NN = 00..%02d:\n\n", ri.moments-1)
	p("- `NN.pb.gz`: `GET /debug/pprof/goroutine` (gzipped profile.proto, with its own capture time);\n")
	p("- `NN.debug1.txt`: `GET /debug/pprof/goroutine?debug=1`;\n")
	p("- `NN.debug2.txt`: `GET /debug/pprof/goroutine?debug=2`;\n")
	p("- `run.trace`: `GET /debug/pprof/trace?seconds=%.3f`, started %v before moment 00 and running\n", ri.traceSec, traceLead)
	p("  concurrently with every capture (%d bytes);\n", ri.traceBytes)
	p("- `expected.tsv`: the table below (rows never seen left out).\n\n")
	p("Moments (from the trace request; then the time until the debug=2 answer was read):")
	for m := range ri.moments {
		p(" %02d=%dms+%dms", m, ms(ri.at[m]), ms(ri.spread[m]))
	}
	p("\n\nGoroutines: debug=1 totals")
	for _, t := range ri.totals1 {
		p(" %d", t)
	}
	p("; debug=2")
	for _, t := range ri.totals2 {
		p(" %d", t)
	}
	p(".\n\n")
	p("Columns of `expected.tsv` (tab-separated, first line is a `#` header): `name`, `kind` (leak,\n")
	p("noise, other), `marker_func` (a function in the stack of every goroutine of the row, first\n")
	p("match in table order), `blocking_func` (the first frame in debug=2; `*` if it varied),\n")
	p("`state` (debug=2 status word; `*` if it varied), `c00`.. (goroutines at each moment),\n")
	p("`leak` (a leak by construction). A goroutine is counted in the first row whose marker is in\n")
	p("its stack and whose state matches, so a planted leak's function in another state (still\n")
	p("waiting for its handler to return) is in the `...Pending`/`...Other` row after it.\n\n")
	p("| group | kind | marker | state | blocking frame |")
	for m := range ri.moments {
		p(" %02d |", m)
	}
	p(" leak |\n|---|---|---|---|---|")
	for range ri.moments {
		p("---|")
	}
	p("---|\n")
	for _, r := range rows {
		if !r.present() {
			continue
		}
		p("| %s | %s | `%s` | %s | `%s` |", r.name, r.kind, r.markers[0], r.stateCol(), one(r.blocking))
		for _, c := range r.counts {
			p(" %d |", c)
		}
		p(" %s |\n", yn(r.leak))
	}
	p("\nGroups (states and first frames as observed over all moments):\n\n")
	for _, r := range rows {
		if !r.present() {
			continue
		}
		note := r.note
		if !strings.HasSuffix(note, ".") {
			note += "."
		}
		p("- `%s`: %s", r.name, note)
		if len(r.states) > 0 {
			p(" States: %s.", keys(r.states))
		}
		if len(r.blocking) > 1 {
			p(" First frames: %s.", keys(r.blocking))
		}
		p("\n")
	}
	p("\nThe client, when it stopped: %s.\n", strings.TrimPrefix(ri.clientStats, "keepalive: client: "))
	p("\nRun took %v in all.\n", ri.wall.Round(1e7))
	write(ri.dir, "EXPECTED.md", []byte(md.String()))
}
