package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/ on http.DefaultServeMux
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ---------------------------------------------------------------------------
// The service. Every population runs in a named top-level function, so that
// its group's frames are stable and its marker is easy to name.

const (
	poolSize     = 4
	tickEvery    = 250 * time.Millisecond // tickerLoop: one upstream probe a tick
	quoteBudget  = 2 * time.Millisecond   // how long /api/quote waits for its quote
	batchItems   = 3                      // goroutines per /api/batch
	subsPerReq   = 2                      // subscriptions per /api/subscribe
	exportChunks = 3                      // /api/export: chunks, each after a 4-8 ms "query"
)

type server struct {
	leak bool

	jobs chan job // the worker pool's queue

	statsMu sync.Mutex // the short mutex-protected section of /api/items
	hits    [16]int64

	upstream string // address of the internal upstream (banner service)
	heldMu   sync.Mutex
	held     []net.Conn // leak: upstream connections accepted and never answered

	changed chan struct{} // closed on a config change (none during a run)

	served atomic.Int64
}

type job struct {
	n     int64
	reply chan int64
}

// poolWorker is one of poolSize workers answering /api/items jobs.
func poolWorker(jobs <-chan job) {
	for j := range jobs {
		j.reply <- j.n*j.n + 1
	}
}

// tickerLoop refreshes a little state every tick and probes the upstream
// once a tick (leak e).
func (s *server) tickerLoop(ctx context.Context) {
	t := time.NewTicker(tickEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.statsMu.Lock()
			for i := range s.hits {
				s.hits[i] -= s.hits[i] / 8
			}
			s.statsMu.Unlock()
			s.probeUpstream()
		case <-ctx.Done():
			return
		}
	}
}

// probeUpstream dials the upstream and reads its banner in the background.
func (s *server) probeUpstream() {
	c, err := net.DialTimeout("tcp", s.upstream, time.Second)
	if err != nil {
		fmt.Fprintln(os.Stderr, "keepalive: upstream:", err)
		return
	}
	go readUpstreamBanner(c)
}

// readUpstreamBanner (leak e) reads the upstream's one-line banner with no
// deadline. With -leak the upstream accepts and never writes: the goroutine
// stays in IO wait forever.
func readUpstreamBanner(c net.Conn) {
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err == nil && line != "ok\n" {
		fmt.Fprintf(os.Stderr, "keepalive: upstream banner %q\n", line)
	}
}

// upstreamServe is the banner service the ticker probes. Without -leak it
// answers at once and closes; with -leak it keeps the connection and never
// writes (a stalled backend).
func (s *server) upstreamServe(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		if s.leak {
			s.heldMu.Lock()
			s.held = append(s.held, c)
			s.heldMu.Unlock()
			continue
		}
		io.WriteString(c, "ok\n")
		c.Close()
	}
}

func reqID(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.FormValue("id"), 10, 64)
	return n
}

// handleItems: a short mutex-protected section, a round trip to the worker
// pool, 1-3 ms of "database".
func (s *server) handleItems(w http.ResponseWriter, r *http.Request) {
	id := reqID(r)
	s.statsMu.Lock()
	s.hits[id&15]++
	h := s.hits[id&15]
	s.statsMu.Unlock()
	j := job{n: id, reply: make(chan int64, 1)}
	s.jobs <- j
	v := <-j.reply
	time.Sleep(time.Duration(1+rand.IntN(3)) * time.Millisecond)
	s.served.Add(1)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]int64{"id": id, "value": v, "hits": h})
}

// handleSearch fans out to 2-3 shards and waits for all of them.
func (s *server) handleSearch(w http.ResponseWriter, r *http.Request) {
	n := 2 + rand.IntN(2)
	res := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go searchShard(i, reqID(r), &res[i], &wg)
	}
	wg.Wait()
	var sum int64
	for _, v := range res {
		sum += v
	}
	s.served.Add(1)
	fmt.Fprintf(w, "%d shards, score %d\n", n, sum)
}

func searchShard(i int, id int64, out *int64, wg *sync.WaitGroup) {
	defer wg.Done()
	time.Sleep(time.Millisecond)
	*out = id*int64(i+1) + 7
}

// handleExport streams a few chunks, each after a short "query": the
// slowest endpoint (12-24 ms).
func (s *server) handleExport(w http.ResponseWriter, r *http.Request) {
	fl, _ := w.(http.Flusher)
	for i := range exportChunks {
		time.Sleep(time.Duration(4+rand.IntN(5)) * time.Millisecond)
		fmt.Fprintf(w, "chunk %d of %d for %d\n", i+1, exportChunks, reqID(r))
		if fl != nil {
			fl.Flush()
		}
	}
	s.served.Add(1)
}

// handleWatch is a long poll: it waits for a change of the config version
// or 100-300 ms, whichever comes first (the version does not change during
// a run), and answers "no change".
func (s *server) handleWatch(w http.ResponseWriter, r *http.Request) {
	t := time.NewTimer(time.Duration(100+rand.IntN(201)) * time.Millisecond)
	defer t.Stop()
	select {
	case <-s.changed:
		io.WriteString(w, "changed\n")
	case <-t.C:
		io.WriteString(w, "no change\n")
	case <-r.Context().Done():
	}
}

func handleHealthz(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
}

// --- (a) chan send after the handler timed out -----------------------------

type quote struct {
	id    int64
	price int64
}

// handleQuote asks a pricing backend and waits quoteBudget for it. The
// backend (lateQuoteSender) answers only once the request is over: it
// waits for the request's context, which net/http cancels when the handler
// returns. With -leak the answer channel is unbuffered and nobody receives
// any more: one goroutine per request stays in chan send.
func (s *server) handleQuote(w http.ResponseWriter, r *http.Request) {
	buf := 1
	if s.leak {
		buf = 0
	}
	res := make(chan quote, buf)
	go lateQuoteSender(r.Context(), reqID(r), res)
	t := time.NewTimer(quoteBudget)
	defer t.Stop()
	select {
	case q := <-res:
		fmt.Fprintf(w, "quote %d: %d\n", q.id, q.price)
	case <-t.C:
		io.WriteString(w, "quote: timed out\n")
	}
}

func lateQuoteSender(ctx context.Context, id int64, out chan<- quote) {
	<-ctx.Done()
	out <- quote{id: id, price: 100 + id%7}
}

// --- (b) select on channels nobody closes ----------------------------------

type subscription struct {
	topic  string
	events chan string
	done   chan struct{}
}

// handleSubscribe registers subsPerReq short-lived subscriptions whose
// watchers select on an event channel and a done channel. Without -leak the
// handler closes done when it returns; with -leak it forgets: nobody sends
// and nobody closes, so every watcher stays in select.
func (s *server) handleSubscribe(w http.ResponseWriter, r *http.Request) {
	for i := range subsPerReq {
		sub := &subscription{topic: "topic-" + strconv.Itoa(i), events: make(chan string), done: make(chan struct{})}
		go watchSubscription(sub)
		if !s.leak {
			defer close(sub.done)
		}
	}
	fmt.Fprintf(w, "subscribed to %d topics\n", subsPerReq)
}

func watchSubscription(sub *subscription) {
	select {
	case ev := <-sub.events:
		fmt.Fprintln(io.Discard, sub.topic, ev)
	case <-sub.done:
	}
}

// --- (c) sync.Mutex.Lock on a mutex held forever ---------------------------

type report struct {
	mu    sync.Mutex
	lines []string // a pointer field: the mutex is not in a tiny block
}

// handleReport builds a report under its lock and hands it to flushReport,
// which takes the lock to write it out. With -leak the handler returns
// without unlocking: flushReport stays in sync.Mutex.Lock forever.
func (s *server) handleReport(w http.ResponseWriter, r *http.Request) {
	rep := &report{}
	rep.mu.Lock()
	go flushReport(rep)
	rep.lines = append(rep.lines, "report "+strconv.FormatInt(reqID(r), 10))
	io.WriteString(w, "report queued\n")
	if s.leak {
		return // the bug: an early return that skips the Unlock
	}
	rep.mu.Unlock()
}

func flushReport(rep *report) {
	rep.mu.Lock()
	defer rep.mu.Unlock()
	for _, l := range rep.lines {
		io.WriteString(io.Discard, l)
	}
}

// --- (d) sync.WaitGroup.Wait never done ------------------------------------

// handleBatch starts batchItems workers and one awaitBatch that publishes
// when they are all done; it answers at once. With -leak the WaitGroup is
// given one Add too many (the header row counted as an item): awaitBatch
// waits forever.
func (s *server) handleBatch(w http.ResponseWriter, r *http.Request) {
	var wg sync.WaitGroup
	n := batchItems
	if s.leak {
		wg.Add(n + 1)
	} else {
		wg.Add(n)
	}
	for i := range n {
		go processBatchItem(i, &wg)
	}
	go awaitBatch(reqID(r), &wg)
	fmt.Fprintf(w, "batch of %d accepted\n", n)
}

func processBatchItem(i int, wg *sync.WaitGroup) {
	defer wg.Done()
	_ = strconv.Itoa(i * i)
}

func awaitBatch(id int64, wg *sync.WaitGroup) {
	wg.Wait()
	fmt.Fprintln(io.Discard, "batch", id, "done")
}

// ---------------------------------------------------------------------------

// watchParent exits the process when stdin (a pipe from the parent) reaches
// end of file: the parent closed it or died.
func watchParent(stdin *os.File) {
	buf := make([]byte, 512)
	for {
		if _, err := stdin.Read(buf); err != nil {
			os.Exit(0)
		}
	}
}

// childStdin puts fd 0 (a pipe from the parent) in non-blocking mode, so
// that its reader goes through the network poller and parks in IO wait
// instead of sitting in a syscall.
func childStdin() *os.File {
	if err := syscall.SetNonblock(0, true); err != nil {
		fatal(err)
	}
	return os.NewFile(0, "stdin")
}

func loopback(addr string) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fatal(fmt.Errorf("-addr %s: only loopback addresses (127.0.0.1:PORT)", addr))
	}
}

func runServer(addr string, leak, child bool) {
	loopback(addr)
	var stdin *os.File
	if child {
		stdin = childStdin()
		// No GC cycle during a run (GOGC=off with a memory limit; a run
		// allocates a few tens of MB): right after a cycle the background
		// sweeper can yield in goschedIfBusy tens of thousands of times,
		// each a pair of events in the execution trace, which made traces
		// of the same run vary from 90 to 160 KB even with GOGC=400.
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(512 << 20)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fatal(err)
	}
	up, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fatal(err)
	}
	s := &server{leak: leak, jobs: make(chan job), upstream: up.Addr().String(), changed: make(chan struct{})}
	ctx := context.Background() // the service runs until the process exits
	for range poolSize {
		go poolWorker(s.jobs)
	}
	go s.upstreamServe(up)
	go s.tickerLoop(ctx)

	http.HandleFunc("GET /api/items", s.handleItems)
	http.HandleFunc("GET /api/search", s.handleSearch)
	http.HandleFunc("GET /api/export", s.handleExport)
	http.HandleFunc("GET /api/watch", s.handleWatch)
	http.HandleFunc("GET /api/quote", s.handleQuote)
	http.HandleFunc("GET /api/subscribe", s.handleSubscribe)
	http.HandleFunc("POST /api/report", s.handleReport)
	http.HandleFunc("POST /api/batch", s.handleBatch)
	http.HandleFunc("GET /healthz", handleHealthz)
	if child {
		go watchParent(stdin)
		fmt.Printf("keepalive: server listening on %s\n", ln.Addr())
	} else {
		base := "http://" + ln.Addr().String()
		fmt.Printf("keepalive: server on %s (leak %v); load it with:\n", base, leak)
		fmt.Printf("  go run ./keepalive -role client -addr %s\n", ln.Addr())
		fmt.Printf("  curl -s '%s/debug/pprof/goroutine?debug=1' | head -40\n", base)
		fmt.Printf("Ctrl-C stops it.\n")
	}
	srv := &http.Server{IdleTimeout: 2 * time.Minute, ReadHeaderTimeout: 10 * time.Second}
	fatal(srv.Serve(ln))
}
