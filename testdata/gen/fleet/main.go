// Command fleet runs two instances of one small HTTP service, one with a
// goroutine leak and one without, and captures their goroutines over their
// own net/http/pprof endpoints at twelve quiescent moments (00..11).
//
// Modes:
//
//	fleet -out DIR [-requests 8] [-gap 250ms]
//	    parent (the default): starts two children of its own binary,
//	    instance a (fleet -serve -child -leak) and instance b (the same
//	    without -leak), each an HTTP service on 127.0.0.1:0. At every moment
//	    it sends -requests GET /work to each instance (none before moment
//	    00), waits until each child is quiescent (GET /quiet?n=TOTAL), then
//	    fetches GET /debug/pprof/goroutine as debug=1, debug=0, debug=1 and
//	    debug=2 from each and writes DIR/a/NN.pb.gz, DIR/a/NN.debug1.txt,
//	    DIR/a/NN.debug2.txt (and the same under DIR/b/), after checking the
//	    counts against the plan; finally DIR/a/expected.tsv,
//	    DIR/b/expected.tsv and DIR/EXPECTED.md. The children exit when the
//	    parent closes their stdin (or dies); the parent kills them if not.
//
//	fleet -serve [-addr 127.0.0.1:6060] [-leak] [-selfload N] [-name x]
//	    one instance for humans, on a fixed loopback address; with -selfload
//	    an internal client goroutine sends N GET /work a second, so with
//	    -leak the leaking group grows by N goroutines a second. Try:
//
//	        cd testdata/gen && go run ./fleet -serve -addr 127.0.0.1:6060 -leak -selfload 5
//
//	    then, from another shell (the commands are also printed at start):
//
//	        curl -s 'http://127.0.0.1:6060/debug/pprof/goroutine?debug=1' | head -30
//	        for i in 1 2 3 4 5 6; do curl -s -o /tmp/fleet-$i.pb.gz \
//	            http://127.0.0.1:6060/debug/pprof/goroutine; sleep 5; done
//	        ./goroscope trend /tmp/fleet-*.pb.gz    # from the repository root
//
//	    Stop it with Ctrl-C. (-child is for the parent: print only the
//	    address, exit at end of stdin, offer GET /quiet, and let every
//	    /quiet and /debug/pprof/ request first wait until all other
//	    goroutines are parked.)
//
// The service (identical code in both instances, so that the same groups
// have the same stacks): a pool of 8 workers ranging over a jobs channel, 12
// subscribers selecting on a feed, 2 config watchers in sync.Cond.Wait, an
// audit writer, a ticker-driven cache janitor, a sleeping heartbeat, the
// accept loop in main, and the connections the parent keeps open (2 idle
// keep-alive connections, the one it captures through). GET /work hands a
// job to the pool and waits for the answer, then asks a slow enrichment
// backend with a 10 ms budget: the lookup runs in its own goroutine
// (main.enrich), gets its answer only after the request is over, and sends
// it on the channel the handler made. With -leak that channel is unbuffered
// and nobody receives any more: the goroutine blocks in chan send forever.
// Without -leak it has capacity 1, the send succeeds and the goroutine ends.
//
// Everything on the network is a 127.0.0.1 listener the program opened.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof" // /debug/pprof/ on http.DefaultServeMux
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	serve := flag.Bool("serve", false, "run one instance of the service instead of the parent")
	addr := flag.String("addr", "127.0.0.1:6060", "serve: loopback address to listen on (port 0: any free port)")
	leak := flag.Bool("leak", false, "serve: the /work handler leaks one goroutine per request")
	name := flag.String("name", "x", "serve: instance name (printed, and in /work answers)")
	selfload := flag.Int("selfload", 0, "serve: send N GET /work a second to itself from an internal client")
	child := flag.Bool("child", false, "serve: started by the parent: print only the address, exit when stdin closes, offer /quiet")
	out := flag.String("out", "", "parent: output directory (gets a/, b/, EXPECTED.md)")
	requests := flag.Int("requests", 8, "parent: GET /work requests per instance per moment (after moment 00)")
	gap := flag.Duration("gap", 250*time.Millisecond, "parent: pause between moments")
	flag.Parse()
	if *serve {
		runService(*addr, *name, *leak, *selfload, *child)
		return
	}
	if *out == "" {
		fatal(errors.New("-out is required (or -serve for one instance)"))
	}
	runParent(*out, *requests, *gap)
}

var fatalHook func() // the parent kills its children before exiting

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fleet:", err)
	if fatalHook != nil {
		fatalHook()
	}
	os.Exit(1)
}

// ---------------------------------------------------------------------------
// The service. Each population runs in a named top-level function so that its
// group's frames are stable and easy to name.

const (
	poolSize       = 8
	subscriberCnt  = 12
	configWatchers = 2
	enrichBudget   = 10 * time.Millisecond
)

type job struct {
	n     int64
	reply chan int64
}

var jobs = make(chan job)

func poolWorker() {
	for j := range jobs {
		j.reply <- j.n * j.n
	}
}

type event struct{ kind string }

// subscriber waits for events on a feed that stays quiet during the run.
func subscriber(ctx context.Context, id int, feed <-chan event, seen *atomic.Int64) {
	for {
		select {
		case ev := <-feed:
			seen.Add(int64(len(ev.kind) + id))
		case <-ctx.Done():
			return
		}
	}
}

type config struct {
	mu      sync.Mutex
	cond    *sync.Cond
	version int
}

// configWatcher reloads whenever the config version changes (it never does
// during the run).
func configWatcher(c *config, reloads *atomic.Int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	seen := c.version
	for {
		for c.version == seen {
			c.cond.Wait()
		}
		seen = c.version
		reloads.Add(1)
	}
}

type auditEntry struct {
	n      int64
	result int64
}

var audit = make(chan auditEntry, 64)

func auditWriter(w io.Writer) {
	for e := range audit {
		fmt.Fprintf(w, "job %d -> %d\n", e.n, e.result)
	}
}

// cacheJanitor prunes a cache once a minute (it does not fire during a run).
func cacheJanitor(ctx context.Context, cache *sync.Map) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			cache.Clear()
		case <-ctx.Done():
			return
		}
	}
}

func heartbeat(beats *atomic.Int64) {
	for {
		time.Sleep(time.Minute)
		beats.Add(1)
	}
}

type service struct {
	name      string
	enrichCap int // capacity of the channel enrich answers on: 0 is the leak
	served    atomic.Int64
	cache     sync.Map
}

// handleWork serves GET /work: the job goes to the worker pool (which always
// answers), then an enrichment lookup gets enrichBudget to add its part.
func (s *service) handleWork(w http.ResponseWriter, r *http.Request) {
	n := s.served.Add(1)
	j := job{n: n, reply: make(chan int64, 1)}
	jobs <- j
	v := <-j.reply
	audit <- auditEntry{n, v}
	s.cache.Store(n, v)

	res := make(chan string, s.enrichCap) // unbuffered with -leak: the bug
	go enrich(r.Context(), n, res)
	budget := time.NewTimer(enrichBudget)
	defer budget.Stop()
	select {
	case e := <-res:
		fmt.Fprintf(w, "%s: job %d = %d, enrichment %s\n", s.name, n, v, e)
	case <-budget.C:
		fmt.Fprintf(w, "%s: job %d = %d, enrichment timed out\n", s.name, n, v)
	}
}

// enrich stands for a call to a backend that answers only after the request
// is over: it waits for the request's context, which net/http cancels when
// the handler returns. The handler has stopped listening by then, so on an
// unbuffered channel the send blocks forever.
func enrich(ctx context.Context, n int64, out chan<- string) {
	<-ctx.Done()
	out <- "tier-" + strconv.FormatInt(n%3, 10)
}

func handleHealthz(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, "ok\n")
}

// handleQuiet serves GET /quiet?n=N (child mode only): it returns once the
// process has N goroutines (this one included), none but this one running or
// runnable, with the same stacks over three polls; 503 after 20 s.
func handleQuiet(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.FormValue("n"))
	if err != nil {
		http.Error(w, "n: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := settle(n, 3, 10*time.Millisecond, 20*time.Second); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	io.WriteString(w, "quiet\n")
}

// settle is internal/quiet.Wait, returning an error instead of exiting: it
// returns once NumGoroutine is n (n < 0: any), no goroutine but the caller is
// running or runnable, and the stacks were the same over polls polls.
func settle(n, polls int, every, timeout time.Duration) error {
	buf := make([]byte, 1<<20)
	var prev []byte
	stable := 0
	deadline := time.Now().Add(timeout)
	for {
		runtime.Gosched()
		time.Sleep(every)
		k := runtime.Stack(buf, true)
		for k == len(buf) {
			buf = make([]byte, 2*len(buf))
			k = runtime.Stack(buf, true)
		}
		s := buf[:k]
		// drop the caller's own block (always the first)
		if i := bytes.Index(s, []byte("\n\n")); i >= 0 {
			s = s[i+2:]
		} else {
			s = nil
		}
		got := runtime.NumGoroutine()
		ok := n < 0 || got == n
		for _, st := range []string{"running", "runnable", "syscall", "preempted"} {
			if bytes.Contains(s, []byte(" ["+st)) {
				ok = false
			}
		}
		if ok && bytes.Equal(s, prev) {
			stable++
			if stable >= polls {
				return nil
			}
		} else {
			stable = 0
		}
		prev = append(prev[:0], s...)
		if time.Now().After(deadline) {
			return fmt.Errorf("not quiescent after %v: NumGoroutine=%d, want %d", timeout, got, n)
		}
	}
}

// othersParked (child mode only) wraps the mux for /quiet and /debug/pprof/:
// before such a request is served it waits until every other goroutine is
// parked. net/http starts a background reader on the connection right before
// it calls the handler; without this wait that goroutine is sometimes still
// runnable (with no frame but goexit) when the profile is written.
type othersParked struct{ mux http.Handler }

func (p othersParked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/quiet" || strings.HasPrefix(r.URL.Path, "/debug/pprof/") {
		if err := settle(-1, 2, time.Millisecond, 10*time.Second); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
	}
	p.mux.ServeHTTP(w, r)
}

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

func selfLoad(url string, perSec int) {
	c := &http.Client{Timeout: 10 * time.Second}
	t := time.NewTicker(time.Second / time.Duration(perSec))
	defer t.Stop()
	for range t.C {
		resp, err := c.Get(url)
		if err != nil {
			fmt.Fprintln(os.Stderr, "fleet: selfload:", err)
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

func runService(addr, name string, leak bool, selfload int, child bool) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		fatal(fmt.Errorf("-addr %s: only loopback addresses (127.0.0.1:PORT)", addr))
	}
	var stdin *os.File
	if child {
		// A pipe in non-blocking mode goes through the network poller, so
		// the watcher parks in IO wait instead of sitting in a syscall.
		if err := syscall.SetNonblock(0, true); err != nil {
			fatal(err)
		}
		stdin = os.NewFile(0, "stdin")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fatal(err)
	}
	s := &service{name: name}
	if !leak {
		s.enrichCap = 1
	}
	ctx := context.Background() // the service runs until the process exits
	var counters [3]atomic.Int64
	for i := 0; i < poolSize; i++ {
		go poolWorker()
	}
	feed := make(chan event)
	for i := 0; i < subscriberCnt; i++ {
		go subscriber(ctx, i, feed, &counters[0])
	}
	cfg := &config{}
	cfg.cond = sync.NewCond(&cfg.mu)
	for i := 0; i < configWatchers; i++ {
		go configWatcher(cfg, &counters[1])
	}
	go auditWriter(io.Discard)
	go cacheJanitor(ctx, &s.cache)
	go heartbeat(&counters[2])

	http.HandleFunc("/work", s.handleWork)
	http.HandleFunc("/healthz", handleHealthz)
	base := "http://" + ln.Addr().String()
	if child {
		http.HandleFunc("/quiet", handleQuiet)
		go watchParent(stdin)
		fmt.Printf("fleet: %s listening on %s\n", name, ln.Addr())
	} else {
		onoff := map[bool]string{true: "on", false: "off"}
		fmt.Printf("fleet: instance %s serving on %s (leak %s, self-load %d requests/s)\n", name, base, onoff[leak], selfload)
		fmt.Printf("try:\n")
		fmt.Printf("  curl -s %s/work\n", base)
		fmt.Printf("  curl -s '%s/debug/pprof/goroutine?debug=1' | head -30\n", base)
		fmt.Printf("  for i in 1 2 3 4 5 6; do curl -s -o /tmp/fleet-$i.pb.gz %s/debug/pprof/goroutine; sleep 5; done\n", base)
		fmt.Printf("  goroscope trend /tmp/fleet-*.pb.gz\n")
		fmt.Printf("  goroscope report /tmp/fleet-*.pb.gz\n")
		fmt.Printf("Ctrl-C stops it.\n")
		if selfload > 0 {
			go selfLoad(base+"/work", selfload)
		}
	}
	srv := &http.Server{}
	if child {
		srv.Handler = othersParked{http.DefaultServeMux}
	}
	fatal(srv.Serve(ln))
}
