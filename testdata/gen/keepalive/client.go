package main

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ---------------------------------------------------------------------------
// The load client: a process of its own. Each of -conns workers is a client
// with its own keep-alive connection (its own http.Transport, one
// connection), looping request -> think time. A scheduler on one more
// keep-alive connection calls the endpoints that leak at a fixed cadence.

const (
	thinkMin = 80 * time.Millisecond
	thinkMax = 240 * time.Millisecond
	round    = 100 * time.Millisecond // the scheduler's cadence
)

func newClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
			IdleConnTimeout:     time.Hour,
			DisableCompression:  true,
		},
	}
}

func do(c *http.Client, method, url string) error {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("%s %s: %s", method, url, resp.Status)
	}
	return err
}

// pick returns the next request of a worker: items 45%, search 20%,
// export 15%, watch (a long poll) 10%, healthz 10%.
func pick(base string, id int64) string {
	switch p := rand.IntN(100); {
	case p < 45:
		return fmt.Sprintf("%s/api/items?id=%d", base, id)
	case p < 65:
		return fmt.Sprintf("%s/api/search?id=%d", base, id)
	case p < 80:
		return fmt.Sprintf("%s/api/export?id=%d", base, id)
	case p < 90:
		return fmt.Sprintf("%s/api/watch?id=%d", base, id)
	}
	return base + "/healthz"
}

// Latencies of the workers' requests (the scheduler's are not kept), by
// endpoint, reported when the client stops.
var (
	latMu sync.Mutex
	lat   = map[string][]time.Duration{}
)

func record(url string, d time.Duration) {
	ep := strings.TrimPrefix(url, "http://")
	if i := strings.Index(ep, "/"); i >= 0 {
		ep = ep[i:]
	}
	ep, _, _ = strings.Cut(ep, "?")
	latMu.Lock()
	lat[ep] = append(lat[ep], d)
	latMu.Unlock()
}

// latencies is one line: requests, then per endpoint count/median/p90/max.
func latencies() string {
	latMu.Lock()
	defer latMu.Unlock()
	var eps []string
	n := 0
	for ep, v := range lat {
		eps = append(eps, ep)
		n += len(v)
	}
	sort.Strings(eps)
	var b strings.Builder
	fmt.Fprintf(&b, "%d worker requests;", n)
	for _, ep := range eps {
		v := lat[ep]
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		q := func(f float64) time.Duration { return v[int(f*float64(len(v)-1))].Round(10 * time.Microsecond) }
		fmt.Fprintf(&b, " %s %d, median %v, p90 %v, max %v;", ep, len(v), q(0.5), q(0.9), v[len(v)-1].Round(10*time.Microsecond))
	}
	return strings.TrimSuffix(b.String(), ";")
}

func worker(base string, w int, first *sync.WaitGroup, sent *atomic.Int64) {
	c := newClient()
	// the first request opens the connection
	if err := do(c, "GET", base+"/healthz"); err != nil {
		fatal(fmt.Errorf("client %d: %v", w, err))
	}
	first.Done()
	for i := int64(1); ; i++ {
		time.Sleep(thinkMin + rand.N(thinkMax-thinkMin))
		url := pick(base, int64(w)*1000000+i)
		t := time.Now()
		if err := do(c, "GET", url); err != nil {
			fatal(fmt.Errorf("client %d: %v", w, err))
		}
		record(url, time.Since(t))
		sent.Add(1)
	}
}

// scheduler calls the endpoints that leak (with -leak on the server) at a
// fixed cadence, on its own keep-alive connection: per 100 ms round r,
// /api/quote when r%4==0, /api/report when r%4==1, /api/batch when r%4==3,
// /api/subscribe when r%8==6.
func scheduler(base string, first *sync.WaitGroup, sent *atomic.Int64) {
	c := newClient()
	if err := do(c, "GET", base+"/healthz"); err != nil {
		fatal(fmt.Errorf("scheduler: %v", err))
	}
	first.Done()
	t := time.NewTicker(round)
	defer t.Stop()
	for r := int64(0); ; r++ {
		<-t.C
		var calls []string
		if r%4 == 0 {
			calls = append(calls, "GET /api/quote")
		}
		switch r % 4 {
		case 1:
			calls = append(calls, "POST /api/report")
		case 3:
			calls = append(calls, "POST /api/batch")
		}
		if r%8 == 6 {
			calls = append(calls, "GET /api/subscribe")
		}
		for _, call := range calls {
			method, path, _ := strings.Cut(call, " ")
			if err := do(c, method, fmt.Sprintf("%s%s?id=%d", base, path, r)); err != nil {
				fatal(fmt.Errorf("scheduler: %v", err))
			}
			sent.Add(1)
		}
	}
}

func runClient(addr string, conns int, child bool) {
	loopback(addr)
	base := "http://" + addr
	var first sync.WaitGroup
	var sent atomic.Int64
	first.Add(conns + 1)
	for w := range conns {
		go worker(base, w, &first, &sent)
	}
	go scheduler(base, &first, &sent)
	first.Wait()
	if child {
		fmt.Printf("keepalive: client ready, %d keep-alive connections\n", conns+1)
		// at end of stdin: report the latencies and exit
		stdin := childStdin()
		buf := make([]byte, 512)
		for {
			if _, err := stdin.Read(buf); err != nil {
				break
			}
		}
		fmt.Printf("keepalive: client: %s\n", latencies())
		os.Exit(0)
	}
	fmt.Printf("keepalive: client: %d workers and the scheduler on %s; Ctrl-C stops it\n", conns, base)
	for {
		time.Sleep(5 * time.Second)
		fmt.Printf("keepalive: client: %d requests\n", sent.Load())
	}
}

// ---------------------------------------------------------------------------
// The CPU hog for -stress: threads goroutines in busy loops, GOMAXPROCS
// set to as many (so that many OS threads compete for the cores).

var burnSink atomic.Uint64

func burn(seed uint64) {
	x := seed | 1
	for {
		for range 1 << 16 {
			x ^= x << 13
			x ^= x >> 7
			x ^= x << 17
		}
		burnSink.Add(x & 1)
	}
}

func runBurn(threads int, child bool) {
	n := threads
	if n <= 0 {
		n = runtime.NumCPU()
	}
	runtime.GOMAXPROCS(n)
	for i := range n {
		go burn(uint64(i) + 0x9e3779b97f4a7c15)
	}
	fmt.Printf("keepalive: burning: %d busy threads on %d CPUs\n", n, runtime.NumCPU())
	if child {
		watchParent(childStdin())
		return
	}
	select {}
}
