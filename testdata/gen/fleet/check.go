package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
)

// A row of the known answers: one group of goroutines of one instance.
type row struct {
	name   string
	kind   string // leak, noise, other
	marker string // a function in every stack of this group and in no other
	state  string // wait reason / status as printed in debug=2
	counts [moments]int
	leak   bool
	note   string

	blocking string // observed: first frame of the debug=2 traceback
	first1   string // observed: first "#" frame of the debug=1 record
}

var perMoment = 8 // -requests

func konst(k int) (c [moments]int) {
	for i := range c {
		c[i] = k
	}
	return
}

// table is the plan of one instance; leak adds the leaking group.
func table(leak bool) []*row {
	var rows []*row
	if leak {
		var c [moments]int
		for i := range c {
			c[i] = perMoment * i
		}
		rows = append(rows, &row{name: "enrichLeak", kind: "leak", marker: "main.enrich", state: "chan send",
			counts: c, leak: true,
			note: fmt.Sprintf("one per GET /work: `out <- ...` on the unbuffered channel its handler made, after the handler gave up (10 ms budget) and returned; %d requests before every moment but 00", perMoment)})
	}
	rows = append(rows,
		&row{name: "workerPool", kind: "noise", marker: "main.poolWorker", state: "chan receive",
			counts: konst(poolSize), note: "`for j := range jobs`; answers every /work job and parks again"},
		&row{name: "subscribers", kind: "noise", marker: "main.subscriber", state: "select",
			counts: konst(subscriberCnt), note: "select on a shared event feed (never sent on) and a context (never cancelled)"},
		&row{name: "configWatchers", kind: "noise", marker: "main.configWatcher", state: "sync.Cond.Wait",
			counts: konst(configWatchers), note: "`c.cond.Wait()` until the config version changes (it never does)"},
		&row{name: "auditWriter", kind: "noise", marker: "main.auditWriter", state: "chan receive",
			counts: konst(1), note: "ranges over a buffered channel every /work writes to"},
		&row{name: "cacheJanitor", kind: "noise", marker: "main.cacheJanitor", state: "select",
			counts: konst(1), note: "select on a 1-minute ticker and a context"},
		&row{name: "heartbeat", kind: "noise", marker: "main.heartbeat", state: "sleep",
			counts: konst(1), note: "`for { time.Sleep(time.Minute) }`"},
		&row{name: "idleConns", kind: "noise", marker: "net/http.(*conn).serve", state: "IO wait",
			counts: konst(idleConns), note: fmt.Sprintf("%d keep-alive connections from the parent, each after one GET /healthz, idle in `c.bufr.Peek(4)` waiting for the next request", idleConns)},
		&row{name: "acceptLoop", kind: "noise", marker: "main.main", state: "IO wait",
			counts: konst(1), note: "main goroutine in `srv.Serve(ln)`, accepting"},
		&row{name: "parentWatch", kind: "other", marker: "main.watchParent", state: "IO wait",
			counts: konst(1), note: "reads the stdin pipe from the parent, exits the process at end of file"},
		&row{name: "captureHandler", kind: "other", marker: "net/http/pprof.handler.ServeHTTP", state: "running",
			counts: konst(1), note: "the connection goroutine serving the capture request (net/http/pprof writing the profile)"},
		&row{name: "captureConnReader", kind: "other", marker: "net/http.(*connReader).backgroundRead", state: "IO wait",
			counts: konst(1), note: "net/http's background read on the capture connection while its handler runs"},
	)
	return rows
}

func expectedTotal(rows []*row, m int) int {
	t := 0
	for _, r := range rows {
		t += r.counts[m]
	}
	return t
}

func bytesEqual(a, b []byte) bool { return bytes.Equal(a, b) }

func contains(fs []string, f string) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// match returns the one row whose marker is in funcs. Markers are checked in
// table order; a group's marker may also appear in a later row's stacks only
// if that row is listed first (captureHandler and idleConns share
// net/http.(*conn).serve, so pprof's handler is looked for first).
func match(rows []*row, funcs []string) (*row, error) {
	var hit []*row
	for _, r := range rows {
		if contains(funcs, r.marker) {
			hit = append(hit, r)
		}
	}
	switch {
	case len(hit) == 1:
		return hit[0], nil
	case len(hit) == 2 && hit[0].name == "idleConns" && hit[1].name == "captureHandler":
		return hit[1], nil
	case len(hit) == 0:
		return nil, fmt.Errorf("matches no group: %v", funcs)
	}
	return nil, fmt.Errorf("matches %s and %s: %v", hit[0].name, hit[1].name, funcs)
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

// checkDebug2 counts goroutines per row (marker in stack, state equal) and
// records each group's blocking frame.
func checkDebug2(rows []*row, m int, text string) error {
	gs, err := parseDebug2(text)
	if err != nil {
		return err
	}
	got := map[*row]int{}
	seen := map[*row]string{}
	for _, g := range gs {
		r, err := match(rows, g.funcs)
		if err != nil {
			return fmt.Errorf("debug=2 goroutine %s [%s] %v", g.id, g.status, err)
		}
		if g.status != r.state {
			return fmt.Errorf("debug=2 goroutine %s of %s has state %q, want %q", g.id, r.name, g.status, r.state)
		}
		got[r]++
		if b, ok := seen[r]; ok && b != g.funcs[0] {
			return fmt.Errorf("debug=2 %s: two blocking frames %s and %s", r.name, b, g.funcs[0])
		}
		seen[r] = g.funcs[0]
	}
	for _, r := range rows {
		if got[r] != r.counts[m] {
			return fmt.Errorf("debug=2: %s has %d goroutines, want %d", r.name, got[r], r.counts[m])
		}
		if b, ok := seen[r]; ok {
			if r.blocking != "" && r.blocking != b {
				return fmt.Errorf("debug=2 %s: blocking frame changed from %s to %s", r.name, r.blocking, b)
			}
			r.blocking = b
		}
	}
	return nil
}

// checkDebug1 checks a debug=1 profile against the rows and returns its
// number of records and its total.
func checkDebug1(rows []*row, m int, text string) (int, int, error) {
	recs := strings.Split(strings.TrimRight(text, "\n"), "\n\n")
	head, rest, _ := strings.Cut(recs[0], "\n")
	recs[0] = rest
	var total int
	if _, err := fmt.Sscanf(head, "goroutine profile: total %d", &total); err != nil {
		return 0, 0, fmt.Errorf("debug=1 header %q: %v", head, err)
	}
	got := map[*row]int{}
	sum, nrec := 0, 0
	for _, rec := range recs {
		if rec == "" {
			continue
		}
		nrec++
		lines := strings.Split(rec, "\n")
		n, err := strconv.Atoi(strings.Fields(lines[0])[0])
		if err != nil {
			return 0, 0, fmt.Errorf("debug=1 record %q", lines[0])
		}
		sum += n
		var funcs []string
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "# labels: ") {
				return 0, 0, fmt.Errorf("debug=1 record %q has labels", lines[0])
			}
			f := strings.FieldsFunc(l, func(r rune) bool { return r == '\t' })
			if len(f) >= 3 {
				fn := f[2]
				if k := strings.LastIndex(fn, "+0x"); k > 0 {
					fn = fn[:k]
				}
				funcs = append(funcs, fn)
			}
		}
		r, err := match(rows, funcs)
		if err != nil {
			return 0, 0, fmt.Errorf("debug=1 record %q %v", lines[0], err)
		}
		if r.first1 != "" && r.first1 != funcs[0] {
			return 0, 0, fmt.Errorf("debug=1 %s: first frame changed from %s to %s", r.name, r.first1, funcs[0])
		}
		r.first1 = funcs[0]
		got[r] += n
	}
	if sum != total {
		return 0, 0, fmt.Errorf("debug=1 total %d but records sum to %d", total, sum)
	}
	for _, r := range rows {
		if got[r] != r.counts[m] {
			return 0, 0, fmt.Errorf("debug=1: %s has %d, want %d", r.name, got[r], r.counts[m])
		}
	}
	return nrec, total, nil
}

// checkProto reads the gzipped profile.proto far enough to check that it has
// one sample per debug=1 record, values summing to the debug=1 total, sample
// type goroutine/count and a capture time.
func checkProto(gz []byte, records, total int) error {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return fmt.Errorf("debug=0: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("debug=0: %v", err)
	}
	var samples, sum, timeNanos int64
	var strs []string
	var sampleType [][]int64
	err = pbFields(raw, func(f int, wt int, v uint64, b []byte) error {
		switch {
		case f == 1 && wt == 2: // sample_type ValueType{type=1, unit=2}
			var t [2]int64
			if err := pbFields(b, func(f, wt int, v uint64, _ []byte) error {
				if wt == 0 && (f == 1 || f == 2) {
					t[f-1] = int64(v)
				}
				return nil
			}); err != nil {
				return err
			}
			sampleType = append(sampleType, t[:])
		case f == 2 && wt == 2: // sample
			samples++
			return pbFields(b, func(f, wt int, v uint64, b []byte) error {
				if f != 2 {
					return nil
				}
				if wt == 0 {
					sum += int64(v)
					return nil
				}
				for len(b) > 0 { // packed
					x, k := binary.Uvarint(b)
					if k <= 0 {
						return errors.New("bad packed value")
					}
					sum += int64(x)
					b = b[k:]
				}
				return nil
			})
		case f == 6 && wt == 2:
			strs = append(strs, string(b))
		case f == 9 && wt == 0:
			timeNanos = int64(v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("debug=0: %v", err)
	}
	str := func(i int64) string {
		if i < 0 || int(i) >= len(strs) {
			return "?"
		}
		return strs[i]
	}
	if len(sampleType) != 1 || str(sampleType[0][0]) != "goroutine" || str(sampleType[0][1]) != "count" {
		return fmt.Errorf("debug=0: sample types %v", sampleType)
	}
	if samples != int64(records) || sum != int64(total) {
		return fmt.Errorf("debug=0: %d samples summing to %d, debug=1 has %d records summing to %d", samples, sum, records, total)
	}
	if timeNanos <= 0 {
		return errors.New("debug=0: no time_nanos")
	}
	return nil
}

// pbFields calls fn for every field of one protobuf message.
func pbFields(b []byte, fn func(field, wiretype int, v uint64, data []byte) error) error {
	for len(b) > 0 {
		key, k := binary.Uvarint(b)
		if k <= 0 {
			return errors.New("bad key")
		}
		b = b[k:]
		f, wt := int(key>>3), int(key&7)
		var v uint64
		var data []byte
		switch wt {
		case 0:
			v, k = binary.Uvarint(b)
			if k <= 0 {
				return errors.New("bad varint")
			}
			b = b[k:]
		case 1:
			if len(b) < 8 {
				return errors.New("short fixed64")
			}
			b = b[8:]
		case 2:
			n, k := binary.Uvarint(b)
			if k <= 0 || uint64(len(b)-k) < n {
				return errors.New("bad length")
			}
			data = b[k : k+int(n)]
			b = b[k+int(n):]
		case 5:
			if len(b) < 4 {
				return errors.New("short fixed32")
			}
			b = b[4:]
		default:
			return fmt.Errorf("wire type %d", wt)
		}
		if err := fn(f, wt, v, data); err != nil {
			return err
		}
	}
	return nil
}

func yn(v bool) string {
	if v {
		return "yes"
	}
	return "no"
}

func writeTSV(in *instance) {
	var b strings.Builder
	b.WriteString("# name\tkind\tmarker_func\tblocking_func\tstate")
	for m := 0; m < moments; m++ {
		fmt.Fprintf(&b, "\tc%02d", m)
	}
	b.WriteString("\tleak\n")
	for _, r := range in.rows {
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s", r.name, r.kind, r.marker, r.blocking, r.state)
		for _, c := range r.counts {
			fmt.Fprintf(&b, "\t%d", c)
		}
		fmt.Fprintf(&b, "\t%s\n", yn(r.leak))
	}
	write(in.dir, "expected.tsv", []byte(b.String()))
}

func writeExpected(dir string, insts []*instance) {
	var md strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&md, format, a...) }
	p("# Known answers for this directory\n\n")
	p("Written by `testdata/gen/fleet` (built with %s, `-trimpath`, GOOS/GOARCH %s/%s) together\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	p("with the captures under `a/` and `b/`; see `testdata/gen/README.md`. Every count below was\n")
	p("checked against the debug=1, debug=2 and debug=0 captures before they were written.\n\n")
	p("Two instances of one HTTP service (two child processes of the same binary, each on its own\n")
	p("127.0.0.1 port, same code, same goroutine populations), captured over their own\n")
	p("`net/http/pprof` endpoints at the same %d moments:\n\n", moments)
	p("- `a/`: started with `-leak`. **Exactly one leak group: `enrichLeak`** (`main.enrich`, chan send),\n")
	p("  %d more goroutines at every moment.\n", perMoment)
	p("- `b/`: started without `-leak`. **No leak group**: the same handler starts the same `main.enrich`\n")
	p("  goroutine, but its channel has capacity 1, the late send succeeds and the goroutine ends;\n")
	p("  no `main.enrich` goroutine is in any capture of `b/`. Every group of `b/` is steady.\n\n")
	p("Files in each instance directory, NN = 00..%02d:\n\n", moments-1)
	p("- `NN.pb.gz`: `GET /debug/pprof/goroutine` (gzipped profile.proto, with its own capture time);\n")
	p("- `NN.debug1.txt`: `GET /debug/pprof/goroutine?debug=1` (no capture time);\n")
	p("- `NN.debug2.txt`: `GET /debug/pprof/goroutine?debug=2` (no capture time);\n")
	p("- `expected.tsv`: the table below for this instance.\n\n")
	p("Between moments (none before 00) the parent sends %d concurrent `GET /work` to each instance,\n", perMoment)
	p("each over a new connection without keep-alive; every one of them answers `enrichment timed out`.\n\n")
	p("Columns of `expected.tsv` (tab-separated, first line is a `#` header):\n\n")
	p("- `name`, `kind` (leak, noise, other: the goroutines of the capture itself and of the\n")
	p("  child's link to the parent);\n")
	p("- `marker_func`: a function present in every stack of the group and in no other group, except\n")
	p("  that `net/http.(*conn).serve` (idleConns) is also in captureHandler's stack, which is\n")
	p("  recognised by `net/http/pprof.handler.ServeHTTP` first;\n")
	p("- `blocking_func`: the first frame of the group's debug=2 traceback (runtime frames hidden);\n")
	p("- `state`: the debug=2 status word (wait reason) without suffixes;\n")
	p("- `c00`..`c%02d`: goroutines at each moment (a 0 means the group is absent);\n", moments-1)
	p("- `leak`: a leak suspect by construction.\n\n")
	for _, in := range insts {
		p("## Instance %s (%s)\n\n", in.name, map[bool]string{true: "`-leak`", false: "no `-leak`"}[in.leak])
		p("| group | kind | blocking frame | debug=1 first frame | state |")
		for m := 0; m < moments; m++ {
			p(" %02d |", m)
		}
		p(" leak |\n|---|---|---|---|---|")
		for m := 0; m < moments; m++ {
			p("---|")
		}
		p("---|\n")
		for _, r := range in.rows {
			p("| %s | %s | `%s` | `%s` | %s |", r.name, r.kind, r.blocking, r.first1, r.state)
			for _, c := range r.counts {
				p(" %d |", c)
			}
			p(" %v |\n", r.leak)
		}
		p("\nTotals:")
		for m := 0; m < moments; m++ {
			p(" %02d=%d", m, expectedTotal(in.rows, m))
		}
		p("\n\n")
	}
	p("Groups:\n\n")
	for _, r := range insts[0].rows {
		p("- `%s` (marker `%s`): %s.\n", r.name, r.marker, r.note)
	}
	p("\ndebug=1's first frame is debug=2's blocking frame except for captureHandler (debug=1/0 are\n")
	p("written by `writeRuntimeProfile`, debug=2 by `writeGoroutineStacks`). The protobuf profile\n")
	p("hides nothing: its first location is `runtime.gopark` for parked goroutines.\n\n")
	p("How a moment is taken, per instance: `GET /quiet?n=TOTAL` returns once the child has TOTAL\n")
	p("goroutines, none but the one serving /quiet running or runnable, with the same stacks over\n")
	p("three polls 10 ms apart. Then, over the same keep-alive connection (so the capturing goroutine\n")
	p("and its background reader are the only connection goroutines besides the idle ones), the\n")
	p("parent fetches debug=1, debug=0, debug=1 and debug=2; the two debug=1 texts were\n")
	p("byte-identical, so `NN.pb.gz` and `NN.debug1.txt` describe the same goroutines; the debug=0\n")
	p("profile has one sample per debug=1 record and the same total. Any mismatch retries the\n")
	p("moment, then fails the run.\n\n")
	p("In the children, every /quiet and /debug/pprof/ request first waits (in `main.othersParked`,\n")
	p("which is therefore in captureHandler's stack) until every other goroutine is parked: net/http\n")
	p("starts the connection's background reader right before it calls the handler, and without the\n")
	p("wait that goroutine was sometimes captured before it ever ran: `[runnable]` with the single\n")
	p("frame `net/http.(*connReader).startBackgroundRead.gowrap2()` in debug=2, and a debug=1 record\n")
	p("`1 @ 0x…` whose only PC is `runtime.goexit`, so with no `#` line at all.\n")
	write(dir, "EXPECTED.md", []byte(md.String()))
}
