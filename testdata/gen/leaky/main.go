// Command leaky runs a process with known goroutine leaks and known noise and
// captures its goroutines at six quiescent moments (phases 00..05).
//
// Modes:
//
//	leaky -out DIR [-leaks=false] [-trace FILE|discard]
//	    writes DIR/NN.pb.gz, DIR/NN.debug1.txt, DIR/NN.debug2.txt for NN = 00..05,
//	    and DIR/expected.tsv, DIR/EXPECTED.md.
//	leaky -out DIR -leakprofile 02,05
//	    (needs the goroutineleak profile: GOEXPERIMENT=goroutineleakprofile with
//	    Go 1.26, always with Go 1.27) writes DIR/NN.leak.pb.gz, NN.leak.debug1.txt,
//	    NN.leak.debug2.txt at the listed moments, and after the last one
//	    NN.goroutine.{pb.gz,debug1.txt,debug2.txt} (the plain goroutine profile
//	    right after leak detection).
//
// Every capture is verified before it is written: the process is made
// quiescent (every goroutine but main parked, the same set of stacks three
// polls in a row, runtime.NumGoroutine equal to the expected total), then the
// profile is taken as debug=1, debug=0, debug=1 again and debug=2; the two
// debug=1 texts must be byte-identical (so the debug=0 in between describes
// the same goroutines) and the per-group counts parsed from debug=1 and
// debug=2 must equal the table below. Any mismatch retries the moment, then
// fails the run.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

const moments = 6

// A row of the known answers: one scenario group.
type row struct {
	name   string
	kind   string // leak, noise, other
	marker string // a function that appears in every stack of this group and no other
	state  string // wait reason / status as printed in debug=2 (without suffixes)
	counts [moments]int
	leak   bool
	// inLeakProfile: the Go 1.26 goroutineleak detector reports it (blocked on a
	// channel/sync object that becomes unreachable).
	inLeakProfile bool
	labels        string // debug=1 "# labels:" text, or "" for none
	note          string

	blocking string // observed: first frame of the debug=2 traceback
	first1   string // observed: first "#" frame of the debug=1 record
}

func lin(k int) (c [moments]int) {
	for i := range c {
		c[i] = k * (i + 1)
	}
	return
}

func konst(k int) (c [moments]int) {
	for i := range c {
		c[i] = k
	}
	return
}

const (
	apiLabels  = `{"handler":"/api/x", "tenant":"acme \"west\""}`
	poolLabels = `{"pool":"jobs: main, bg"}`
)

var (
	kSend, kAbandon, kSelect, kLock, kWG, kSlow = 4, 3, 5, 2, 6, 1

	poolSize   = 50
	sleepers   = 5
	ioConns    = 4
	burstCount = [moments]int{0, 0, 30, 60, 20, 0}
	shrinkCnt  = [moments]int{60, 50, 40, 30, 20, 10}
)

func table(leaks, traced bool) []*row {
	var rows []*row
	if leaks {
		rows = append(rows,
			&row{name: "sendAfterTimeout", kind: "leak", marker: "main.sendAfterTimeoutWorker", state: "chan send",
				counts: lin(kSend), leak: true, inLeakProfile: true, labels: apiLabels,
				note: "worker does `ch <- result` on an unbuffered channel after its handler timed out and returned"},
			&row{name: "abandonedProducer", kind: "leak", marker: "main.abandonedConsumer", state: "chan receive",
				counts: lin(kAbandon), leak: true, inLeakProfile: true,
				note: "consumers `range` over a channel whose producer returned without close"},
			&row{name: "selectNeverClosed", kind: "leak", marker: "main.selectNeverClosedWaiter", state: "select",
				counts: lin(kSelect), leak: true, inLeakProfile: true,
				note: "select on two channels nobody ever sends on or closes"},
			&row{name: "lockedForever", kind: "leak", marker: "main.lockedForeverWaiter", state: "sync.Mutex.Lock",
				counts: lin(kLock), leak: true, inLeakProfile: true,
				note: "mu.Lock() on a per-phase mutex that was locked and never unlocked"},
			&row{name: "waitGroupNeverDone", kind: "leak", marker: "main.waitGroupNeverDoneWaiter", state: "sync.WaitGroup.Wait",
				counts: lin(kWG), leak: true, inLeakProfile: true,
				note: "wg.Wait() on a per-phase WaitGroup whose Add(1) is never matched by Done"},
			&row{name: "slowLeak", kind: "leak", marker: "main.slowLeakWaiter", state: "chan receive",
				counts: lin(kSlow), leak: true, inLeakProfile: false,
				note: "exactly one more per phase, receiving from a package-level channel (reachable, so goroutineleak cannot see it)"},
		)
	}
	rows = append(rows,
		&row{name: "workerPool", kind: "noise", marker: "main.poolWorker", state: "chan receive",
			counts: konst(poolSize), labels: poolLabels,
			note: "steady pool ranging over a package-level jobs channel; each phase it processes 100 jobs and parks again"},
		&row{name: "burst", kind: "noise", marker: "main.burstWorker", state: "chan receive",
			counts: burstCount,
			note:   "created in phases 2 and 3 (30 each), 40 released in phase 4, the last 20 in phase 5"},
		&row{name: "sleepers", kind: "noise", marker: "main.sleeper", state: "sleep",
			counts: konst(sleepers), note: "for { time.Sleep(time.Hour) }"},
		&row{name: "ioWaiters", kind: "noise", marker: "main.ioReader", state: "IO wait",
			counts: konst(ioConns),
			note:   "conn.Read on loopback TCP connections to the process's own 127.0.0.1 listener (closed after accepting); one read completes every phase"},
		&row{name: "shrinking", kind: "noise", marker: "main.shrinkWaiter", state: "chan receive",
			counts: shrinkCnt, note: "60 at start, 10 released before every later moment"},
		&row{name: "main", kind: "other", marker: "main.main", state: "running",
			counts: konst(1), note: "the goroutine writing the profile"},
	)
	if traced {
		rows = append(rows, &row{name: "traceReader", kind: "other", marker: "runtime/trace.(*traceMultiplexer).startLocked.func1",
			state: "trace reader (blocked)", counts: konst(1),
			note: "runtime/trace's reader goroutine (present because the run is traced)"})
	}
	return rows
}

// ---------------------------------------------------------------------------
// Scenario code. Each blocking function is a named top-level function so the
// group's blocking frame is stable and easy to name.

type result struct{ v int }

func compute(n int) result { return result{n * 2} }

func sendAfterTimeoutWorker(gate <-chan struct{}, ch chan<- result, n int) {
	<-gate // make sure the handler timed out first
	ch <- compute(n)
}

// handleRequest waits for a worker's result or for its deadline; on timeout it
// returns and nobody ever reads ch.
func handleRequest(ctx context.Context, n int) error {
	ctx, cancel := context.WithTimeout(ctx, time.Millisecond)
	defer cancel()
	ch := make(chan result) // unbuffered: the bug
	gate := make(chan struct{})
	go sendAfterTimeoutWorker(gate, ch, n)
	defer close(gate)
	select {
	case r := <-ch:
		_ = r
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

var sink atomic.Int64

func abandonedConsumer(ch <-chan int, started *sync.WaitGroup) {
	started.Done()
	for v := range ch {
		sink.Add(int64(v))
	}
}

// abandonedProducer starts k consumers, sends them a few items and returns
// without closing the channel.
func abandonedProducer(k int) {
	ch := make(chan int)
	var started sync.WaitGroup
	started.Add(k)
	for i := 0; i < k; i++ {
		go abandonedConsumer(ch, &started)
	}
	started.Wait()
	for i := 0; i < 2*k; i++ {
		ch <- i
	}
	// forgot close(ch)
}

func selectNeverClosedWaiter(results <-chan int, quit <-chan struct{}) {
	select {
	case v := <-results:
		sink.Add(int64(v))
	case <-quit:
	}
}

// account holds the mutex. A bare new(sync.Mutex) is 8 pointer-free bytes and
// goes to the tiny allocator, where it can share a 16-byte block with an
// unrelated live object; the goroutineleak detector then sees the mutex as
// reachable and misses the leak (seen with Go 1.27.3). The pointer field keeps
// the mutex in an object of its own.
type account struct {
	mu    sync.Mutex
	owner *string
}

func lockedForeverWaiter(a *account) {
	a.mu.Lock()
	sink.Add(1)
	a.mu.Unlock()
}

func waitGroupNeverDoneWaiter(wg *sync.WaitGroup) {
	wg.Wait()
	sink.Add(1)
}

var slowCh = make(chan int) // package level: reachable forever

func slowLeakWaiter() {
	sink.Add(int64(<-slowCh))
}

var jobs = make(chan int)
var jobsDone sync.WaitGroup

func poolWorker() {
	for j := range jobs {
		sink.Add(int64(j))
		jobsDone.Done()
	}
}

var burstRelease = make(chan struct{})

func burstWorker() {
	<-burstRelease
}

func sleeper() {
	for {
		time.Sleep(time.Hour)
	}
}

var ioReads sync.WaitGroup

func ioReader(c net.Conn) {
	buf := make([]byte, 64)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
		ioReads.Done()
	}
}

var shrinkRelease = make(chan struct{})

func shrinkWaiter() {
	<-shrinkRelease
}

// ---------------------------------------------------------------------------

type world struct {
	leaks     bool
	serverSde []net.Conn
	clientSde []net.Conn
}

func (w *world) setup() error {
	pprof.Do(context.Background(), pprof.Labels("pool", "jobs: main, bg"), func(context.Context) {
		for i := 0; i < poolSize; i++ {
			go poolWorker()
		}
	})
	for i := 0; i < sleepers; i++ {
		go sleeper()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	for i := 0; i < ioConns; i++ {
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
		if err != nil {
			return err
		}
		s, err := ln.Accept()
		if err != nil {
			return err
		}
		w.clientSde = append(w.clientSde, c)
		w.serverSde = append(w.serverSde, s)
		go ioReader(c)
	}
	ln.Close()
	for i := 0; i < shrinkCnt[0]; i++ {
		go shrinkWaiter()
	}
	return nil
}

// phase brings the process to the state of moment p.
func (w *world) phase(p int) error {
	if w.leaks {
		pprof.Do(context.Background(), pprof.Labels("handler", "/api/x", "tenant", `acme "west"`), func(ctx context.Context) {
			for i := 0; i < kSend; i++ {
				if err := handleRequest(ctx, i); !errors.Is(err, context.DeadlineExceeded) {
					panic(fmt.Sprintf("handleRequest: %v", err))
				}
			}
		})
		abandonedProducer(kAbandon)
		results, quit := make(chan int), make(chan struct{})
		for i := 0; i < kSelect; i++ {
			go selectNeverClosedWaiter(results, quit)
		}
		acct := &account{owner: new(string)}
		acct.mu.Lock() // never unlocked
		for i := 0; i < kLock; i++ {
			go lockedForeverWaiter(acct)
		}
		wg := new(sync.WaitGroup)
		wg.Add(1) // never Done
		for i := 0; i < kWG; i++ {
			go waitGroupNeverDoneWaiter(wg)
		}
		for i := 0; i < kSlow; i++ {
			go slowLeakWaiter()
		}
	}
	// noise: the pool does some work
	jobsDone.Add(100)
	for i := 0; i < 100; i++ {
		jobs <- i
	}
	jobsDone.Wait()
	// noise: one read per IO waiter
	ioReads.Add(len(w.serverSde))
	for _, s := range w.serverSde {
		if _, err := s.Write([]byte("ping\n")); err != nil {
			return err
		}
	}
	ioReads.Wait()
	// noise: burst
	prev := 0
	if p > 0 {
		prev = burstCount[p-1]
	}
	for i := prev; i < burstCount[p]; i++ {
		go burstWorker()
	}
	for i := burstCount[p]; i < prev; i++ {
		burstRelease <- struct{}{}
	}
	// noise: shrinking
	if p > 0 {
		for i := shrinkCnt[p]; i < shrinkCnt[p-1]; i++ {
			shrinkRelease <- struct{}{}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Quiescence and verification.

type gblock struct {
	id, status string
	leaked     bool
	funcs      []string // frame functions, leaf first (no created-by)
	text       string
}

// parseDebug2 splits a debug=2 / runtime.Stack text into goroutine blocks.
func parseDebug2(s string) ([]gblock, error) {
	var out []gblock
	for _, blk := range strings.Split(strings.TrimRight(s, "\n"), "\n\n") {
		lines := strings.Split(blk, "\n")
		h := lines[0]
		if !strings.HasPrefix(h, "goroutine ") || !strings.HasSuffix(h, "]:") {
			return nil, fmt.Errorf("bad header %q", h)
		}
		i := strings.Index(h, " [")
		g := gblock{id: h[len("goroutine "):i], text: blk}
		st := h[i+2 : len(h)-2]
		if j := strings.Index(st, ", "); j >= 0 {
			st = st[:j]
		}
		if strings.HasSuffix(st, " (leaked)") {
			g.leaked = true
			st = strings.TrimSuffix(st, " (leaked)")
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

var stackBuf = make([]byte, 1<<20) // reused: polling must not churn the heap

func allStacks() string {
	for {
		n := runtime.Stack(stackBuf, true)
		if n < len(stackBuf) {
			return string(stackBuf[:n])
		}
		stackBuf = make([]byte, 2*len(stackBuf))
	}
}

func expectedTotal(rows []*row, m int) int {
	t := 0
	for _, r := range rows {
		t += r.counts[m]
	}
	return t
}

// settle waits until every goroutine but the caller is parked, the set of
// stacks is unchanged over three polls and the count matches.
func settle(rows []*row, m int) error {
	want := expectedTotal(rows, m)
	deadline := time.Now().Add(60 * time.Second)
	prev, stable := "", 0
	for {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
		s := allStacks()
		gs, err := parseDebug2(s)
		if err != nil {
			return err
		}
		ok := runtime.NumGoroutine() == want && len(gs) == want
		var sig strings.Builder
		for i, g := range gs {
			if i == 0 {
				continue
			}
			switch g.status {
			case "running", "runnable", "syscall", "preempted", "copystack":
				ok = false
			}
			sig.WriteString(g.text)
			sig.WriteString("\n\n")
		}
		if ok && sig.String() == prev {
			stable++
			if stable >= 3 {
				return nil
			}
		} else {
			stable = 0
		}
		prev = sig.String()
		if time.Now().After(deadline) {
			return fmt.Errorf("moment %d: not quiescent: NumGoroutine=%d want %d", m, runtime.NumGoroutine(), want)
		}
	}
}

func contains(fs []string, f string) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

// checkDebug2 counts goroutines per row (marker in stack and state equal) and
// records the blocking frame. leakedOnly: count only (leaked) goroutines and
// expect exactly the inLeakProfile rows to be leaked.
func checkDebug2(rows []*row, m int, text string, leakMode bool) error {
	gs, err := parseDebug2(text)
	if err != nil {
		return err
	}
	got := map[*row]int{}
	seen := map[*row]string{}
	for _, g := range gs {
		var match *row
		for _, r := range rows {
			if contains(g.funcs, r.marker) {
				if match != nil {
					return fmt.Errorf("goroutine %s matches %s and %s", g.id, match.name, r.name)
				}
				match = r
			}
		}
		if match == nil {
			return fmt.Errorf("goroutine %s [%s] %v matches no row", g.id, g.status, g.funcs)
		}
		if g.status != match.state {
			return fmt.Errorf("goroutine %s of %s has state %q, want %q", g.id, match.name, g.status, match.state)
		}
		if leakMode && g.leaked != match.inLeakProfile {
			return fmt.Errorf("goroutine %s of %s: leaked=%v, want %v", g.id, match.name, g.leaked, match.inLeakProfile)
		}
		if !leakMode && g.leaked {
			return fmt.Errorf("goroutine %s of %s: unexpectedly (leaked)", g.id, match.name)
		}
		got[match]++
		if b, ok := seen[match]; ok && b != g.funcs[0] {
			return fmt.Errorf("%s: two blocking frames %s and %s", match.name, b, g.funcs[0])
		}
		seen[match] = g.funcs[0]
	}
	for _, r := range rows {
		if got[r] != r.counts[m] {
			return fmt.Errorf("debug=2 moment %d: %s has %d goroutines, want %d", m, r.name, got[r], r.counts[m])
		}
		if b, ok := seen[r]; ok {
			if r.blocking != "" && r.blocking != b {
				return fmt.Errorf("%s: blocking frame changed from %s to %s", r.name, r.blocking, b)
			}
			r.blocking = b
		}
	}
	return nil
}

// checkDebug1 checks a debug=1 count profile against the rows. leakOnly: the
// profile is goroutineleak and holds only the inLeakProfile rows.
func checkDebug1(rows []*row, m int, text, profName string, leakOnly bool) error {
	recs := strings.Split(strings.TrimRight(text, "\n"), "\n\n")
	head, rest, _ := strings.Cut(recs[0], "\n")
	recs[0] = rest
	var total int
	if _, err := fmt.Sscanf(head, profName+" profile: total %d", &total); err != nil {
		return fmt.Errorf("debug=1 header %q: %v", head, err)
	}
	got := map[*row]int{}
	sum := 0
	for _, rec := range recs {
		if rec == "" {
			continue
		}
		lines := strings.Split(rec, "\n")
		n, err := strconv.Atoi(strings.Fields(lines[0])[0])
		if err != nil {
			return fmt.Errorf("debug=1 record %q", lines[0])
		}
		sum += n
		labels := ""
		var funcs []string
		for _, l := range lines[1:] {
			if strings.HasPrefix(l, "# labels: ") {
				labels = strings.TrimPrefix(l, "# labels: ")
				continue
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
		var match *row
		for _, r := range rows {
			if contains(funcs, r.marker) {
				match = r
			}
		}
		if match == nil {
			return fmt.Errorf("debug=1 record %q matches no row", lines[0])
		}
		if leakOnly && !match.inLeakProfile {
			return fmt.Errorf("goroutineleak debug=1 lists %s", match.name)
		}
		if match.first1 != "" && match.first1 != funcs[0] {
			return fmt.Errorf("debug=1 %s: first frame changed from %s to %s", match.name, match.first1, funcs[0])
		}
		match.first1 = funcs[0]
		if labels != match.labels {
			return fmt.Errorf("debug=1 %s labels %q, want %q", match.name, labels, match.labels)
		}
		got[match] += n
	}
	if sum != total {
		return fmt.Errorf("debug=1 total %d but records sum to %d", total, sum)
	}
	for _, r := range rows {
		want := r.counts[m]
		if leakOnly && !r.inLeakProfile {
			want = 0
		}
		if got[r] != want {
			return fmt.Errorf("debug=1 moment %d: %s has %d, want %d", m, r.name, got[r], want)
		}
	}
	return nil
}

func profile(name string, debug int) []byte {
	var b bytes.Buffer
	if err := pprof.Lookup(name).WriteTo(&b, debug); err != nil {
		fatal(err)
	}
	return b.Bytes()
}

// takeMoment captures profile name at moment m as debug=1, 0, 1, 2 and verifies.
func takeMoment(rows []*row, m int, name string, leakMode bool) (d0, d1, d2 []byte, err error) {
	var d1a []byte
	for attempt := 1; ; attempt++ {
		if err = settle(rows, m); err != nil {
			return
		}
		// One call site, so the writing goroutine's own stack is the same
		// in every write.
		var p [4][]byte
		for i, debug := range [4]int{1, 0, 1, 2} {
			p[i] = profile(name, debug)
		}
		d1a, d0, d1, d2 = p[0], p[1], p[2], p[3]
		err = nil
		if !bytes.Equal(d1a, d1) {
			err = fmt.Errorf("moment %d: debug=1 changed between writes", m)
		}
		if err == nil {
			err = checkDebug1(rows, m, string(d1), name, name == "goroutineleak")
		}
		if err == nil {
			err = checkDebug2(rows, m, string(d2), leakMode)
		}
		if err == nil {
			return
		}
		if attempt == 5 {
			if rejectDir != "" { // keep the evidence
				nn := fmt.Sprintf("%02d.%s.rejected", m, name)
				write(rejectDir, nn+".debug1.txt", d1)
				write(rejectDir, nn+".debug2.txt", d2)
			}
			return
		}
		fmt.Fprintf(os.Stderr, "leaky: retrying moment %d: %v\n", m, err)
	}
}

var rejectDir string // where takeMoment leaves captures that failed verification

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "leaky:", err)
	os.Exit(1)
}

func write(dir, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		fatal(err)
	}
}

func main() {
	out := flag.String("out", "", "output directory")
	leaks := flag.Bool("leaks", true, "start the leaking scenarios")
	traceOut := flag.String("trace", "", "write an execution trace of the whole run to this file (\"discard\": trace to nowhere)")
	leakAt := flag.String("leakprofile", "", "comma-separated moments at which to write the goroutineleak profile instead of the goroutine profile")
	gap := flag.Duration("gap", 300*time.Millisecond, "pause between moments")
	flag.Parse()
	if *out == "" {
		fatal(errors.New("-out is required"))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	rejectDir = os.TempDir()
	leakMoments := map[int]bool{}
	lastLeak := -1
	if *leakAt != "" {
		if pprof.Lookup("goroutineleak") == nil {
			fatal(errors.New("no goroutineleak profile in this build (Go 1.26 needs GOEXPERIMENT=goroutineleakprofile)"))
		}
		for _, f := range strings.Split(*leakAt, ",") {
			m, err := strconv.Atoi(f)
			if err != nil || m < 0 || m >= moments {
				fatal(fmt.Errorf("bad -leakprofile moment %q", f))
			}
			leakMoments[m] = true
			lastLeak = max(lastLeak, m)
		}
	}
	if *traceOut != "" {
		var tw io.Writer = io.Discard
		if *traceOut != "discard" {
			f, err := os.Create(*traceOut)
			if err != nil {
				fatal(err)
			}
			defer f.Close()
			tw = f
		}
		if err := trace.Start(tw); err != nil {
			fatal(err)
		}
	}
	// Fewer GC cycles keep run.trace small: right after each cycle the
	// background sweeper can spin in goschedIfBusy for milliseconds, writing
	// tens of thousands of GoStart/GoStop events (seen with Go 1.26.8).
	debug.SetGCPercent(400)
	rows := table(*leaks, *traceOut != "")
	w := &world{leaks: *leaks}
	if err := w.setup(); err != nil {
		fatal(err)
	}
	for m := 0; m < moments; m++ {
		if m > 0 {
			time.Sleep(*gap) // spread the moments over the trace's timeline
		}
		if err := w.phase(m); err != nil {
			fatal(err)
		}
		nn := fmt.Sprintf("%02d", m)
		if err := settle(rows, m); err != nil {
			fatal(err)
		}
		// Marks the moment in the execution trace (a user log event with
		// category "goroscope" and message "moment NN").
		trace.Log(context.Background(), "goroscope", "moment "+nn)
		if *leakAt == "" {
			d0, d1, d2, err := takeMoment(rows, m, "goroutine", false)
			if err != nil {
				fatal(err)
			}
			write(*out, nn+".pb.gz", d0)
			write(*out, nn+".debug1.txt", d1)
			write(*out, nn+".debug2.txt", d2)
			continue
		}
		if !leakMoments[m] {
			continue
		}
		d0, d1, d2, err := takeMoment(rows, m, "goroutineleak", true)
		if err != nil {
			fatal(err)
		}
		write(*out, nn+".leak.pb.gz", d0)
		write(*out, nn+".leak.debug1.txt", d1)
		write(*out, nn+".leak.debug2.txt", d2)
		if m == lastLeak {
			// The plain goroutine profile right after leak detection: the
			// leaked goroutines are still _Gleaked.
			d0, d1, d2, err := takeMoment(rows, m, "goroutine", true)
			if err != nil {
				fatal(err)
			}
			write(*out, nn+".goroutine.pb.gz", d0)
			write(*out, nn+".goroutine.debug1.txt", d1)
			write(*out, nn+".goroutine.debug2.txt", d2)
		}
	}
	if *traceOut != "" {
		trace.Stop()
	}
	writeExpected(*out, rows, *leaks, *leakAt)
	fmt.Fprintf(os.Stderr, "leaky: %s: %d moments written (%s)\n", *out, moments, runtime.Version())
}

func writeExpected(dir string, rows []*row, leaks bool, leakMode string) {
	var b strings.Builder
	b.WriteString("# name\tkind\tmarker_func\tblocking_func\tdebug1_first_func\tstate\tc00\tc01\tc02\tc03\tc04\tc05\tleak\tin_goroutineleak\tlabels\n")
	for _, r := range rows {
		first1 := r.first1
		if first1 == "" {
			first1 = "-" // only in goroutineleak debug=1 profiles, where this group is absent
		}
		fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\t%s", r.name, r.kind, r.marker, r.blocking, first1, r.state)
		for _, c := range r.counts {
			fmt.Fprintf(&b, "\t%d", c)
		}
		yn := func(v bool) string {
			if v {
				return "yes"
			}
			return "no"
		}
		lb := r.labels
		if lb == "" {
			lb = "-"
		}
		fmt.Fprintf(&b, "\t%s\t%s\t%s\n", yn(r.leak), yn(r.inLeakProfile), lb)
	}
	write(dir, "expected.tsv", []byte(b.String()))

	var md strings.Builder
	fmt.Fprintf(&md, "# Known answers for this directory\n\n")
	fmt.Fprintf(&md, "Written by `testdata/gen/leaky` (built with %s, GOOS/GOARCH %s/%s) together with the\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	md.WriteString("captures next to it; regenerate everything with `testdata/gen/generate.sh`. Every count\n")
	md.WriteString("below was checked against the debug=1 and debug=2 captures before they were written.\n\n")
	if leaks {
		md.WriteString("Leaking scenarios: **on**.\n\n")
	} else {
		md.WriteString("Leaking scenarios: **off** (`-leaks=false`): a report over these snapshots must find no suspect.\n\n")
	}
	if leakMode != "" {
		fmt.Fprintf(&md, "Goroutineleak mode: the goroutineleak profile was written at moments %s only\n", leakMode)
		md.WriteString("(`NN.leak.pb.gz`, `NN.leak.debug1.txt`, `NN.leak.debug2.txt`), then, at the last of them, the\n")
		md.WriteString("plain goroutine profile right after leak detection (`NN.goroutine.*`). The counts below hold\n")
		md.WriteString("for every moment; the goroutineleak debug=0/debug=1 profiles contain exactly the rows with\n")
		md.WriteString("`in goroutineleak` = true; in every debug=2 text of these moments (both profiles) those\n")
		md.WriteString("rows' headers read `[<state> (leaked)]` and all other rows' headers do not.\n\n")
	}
	md.WriteString("Each row is one group of goroutines with identical stacks (same creation site, same labels).\n")
	md.WriteString("The rows add up to the goroutine total of each snapshot (`goroutine profile: total N`).\n\n")
	md.WriteString("Columns of `expected.tsv` (tab-separated, first line is a `#` header):\n\n")
	md.WriteString("- `name`, `kind` (leak, noise, other);\n")
	md.WriteString("- `marker_func`: a function present in every stack of the group and in no other group;\n")
	md.WriteString("- `blocking_func`: the first frame of the group's debug=2 traceback (runtime frames hidden);\n")
	md.WriteString("- `debug1_first_func`: the first `#` frame of its debug=1 record; differs from `blocking_func`\n")
	md.WriteString("  for main (debug=1/0 are written by `writeRuntimeProfile`, debug=2 by `writeGoroutineStacks`)\n")
	md.WriteString("  and for traceReader (debug=2 shows the exported `runtime.ReadTrace`, debug=1 hides every\n")
	md.WriteString("  leading `runtime.` frame); the protobuf profile hides nothing: its first location is\n")
	md.WriteString("  `runtime.gopark` for parked goroutines, `runtime.goroutineProfileWithLabels` for main;\n")
	md.WriteString("- `state`: the debug=2 status word (wait reason) without suffixes;\n")
	md.WriteString("- `c00`..`c05`: goroutines at each moment (a 0 means the group is absent);\n")
	md.WriteString("- `leak`: a leak suspect by construction; `in_goroutineleak`: the Go 1.26+ goroutineleak\n")
	md.WriteString("  detector reports it (its channel/mutex/WaitGroup becomes unreachable);\n")
	md.WriteString("- `labels`: the debug=1 `# labels:` text, `-` for none.\n\n")
	md.WriteString("| group | kind | blocking frame | state | 00 | 01 | 02 | 03 | 04 | 05 | leak | in goroutineleak | labels |\n")
	md.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&md, "| %s | %s | `%s` | %s |", r.name, r.kind, r.blocking, r.state)
		for _, c := range r.counts {
			fmt.Fprintf(&md, " %d |", c)
		}
		lb := r.labels
		if lb == "" {
			lb = "-"
		} else {
			lb = "`" + lb + "`"
		}
		fmt.Fprintf(&md, " %v | %v | %s |\n", r.leak, r.inLeakProfile, lb)
	}
	md.WriteString("\nTotals:")
	for m := 0; m < moments; m++ {
		fmt.Fprintf(&md, " %02d=%d", m, expectedTotal(rows, m))
	}
	md.WriteString("\n\nScenarios:\n\n")
	for _, r := range rows {
		fmt.Fprintf(&md, "- `%s` (marker `%s`): %s.\n", r.name, r.marker, r.note)
	}
	md.WriteString("\nHow a moment is taken: the process is made quiescent (every goroutine but main parked, the\n")
	md.WriteString("same stacks over three polls, `runtime.NumGoroutine()` equal to the total above), then the\n")
	md.WriteString("profile is written as debug=1, debug=0, debug=1 and debug=2 from one call site; the two\n")
	md.WriteString("debug=1 texts were byte-identical, so `NN.pb.gz` and `NN.debug1.txt` describe the same\n")
	md.WriteString("goroutines, group by group (same stacks, same PCs, same labels). debug=2 is taken last and\n")
	md.WriteString("shows main inside `runtime/pprof.writeGoroutineStacks` instead of `writeRuntimeProfile`.\n")
	if leaks && leakMode == "" {
		md.WriteString("\n`run.trace` (runtime/trace, whole run) marks each moment with a user log event,\n")
		md.WriteString("category `goroscope`, message `moment NN`, emitted after the moment became quiescent\n")
		md.WriteString("and right before its profiles were written; at that event every goroutine of `NN.*` is\n")
		md.WriteString("parked in the state listed (the trace reader and main run in between). Moments are about\n")
		md.WriteString("0.3 s apart; the trace has several generations.\n")
	}
	write(dir, "EXPECTED.md", []byte(md.String()))
}
