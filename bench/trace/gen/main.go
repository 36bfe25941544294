// gen writes a large execution trace of a busy program with many goroutines,
// for bench/run-trace.sh:
//
//	gen -o FILE [-bytes N]
//
// It traces, until the file holds at least N bytes (default 220 MB):
// 64 request loops, each starting short-lived handler goroutines that pass
// messages over channels (ping-pong pairs), take a shared mutex, sleep a
// little and end; a pool of 2,000 workers fed through a channel; and a leak
// of 5 goroutines blocked forever on a channel for every 1,000 handlers.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/trace"
	"sync"
	"sync/atomic"
	"time"
)

var (
	mu      sync.Mutex
	shared  int
	jobs    = make(chan int, 128)
	started atomic.Int64
	stop    atomic.Bool
)

func leaked(ch chan int) { <-ch }

func pingpong(n int, done *sync.WaitGroup) {
	defer done.Done()
	a, b := make(chan int), make(chan int)
	go func() {
		for v := range a {
			b <- v + 1
		}
		close(b)
	}()
	for i := 0; i < n; i++ {
		a <- i
		<-b
	}
	close(a)
	<-b
}

func handler(id int64) {
	var done sync.WaitGroup
	done.Add(1)
	go pingpong(8, &done)
	mu.Lock()
	shared++
	mu.Unlock()
	if id%7 == 0 {
		time.Sleep(50 * time.Microsecond)
	}
	jobs <- int(id)
	done.Wait()
	if id%1000 == 0 {
		for i := 0; i < 5; i++ {
			go leaked(make(chan int))
		}
	}
}

func loop(wg *sync.WaitGroup) {
	defer wg.Done()
	for !stop.Load() {
		var hs sync.WaitGroup
		for i := 0; i < 16; i++ {
			hs.Add(1)
			id := started.Add(1)
			go func() {
				defer hs.Done()
				handler(id)
			}()
		}
		hs.Wait()
	}
}

func worker() {
	for j := range jobs {
		_ = j
	}
}

func main() {
	out := flag.String("o", "", "write the trace here")
	limit := flag.Int64("bytes", 220<<20, "stop once the trace holds this many bytes")
	flag.Parse()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := 0; i < 2000; i++ {
		go worker()
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	for i := 0; i < 64; i++ {
		wg.Add(1)
		go loop(&wg)
	}
	for {
		time.Sleep(100 * time.Millisecond)
		st, err := f.Stat()
		if err == nil && st.Size() >= *limit {
			break
		}
	}
	stop.Store(true)
	wg.Wait()
	trace.Stop()
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("handlers %d\n", started.Load())
}
