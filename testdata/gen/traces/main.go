// traces writes small execution traces of a known scenario, to be built and
// run by several Go toolchains (one per trace format):
//
//	traces -o FILE [-flight] [-wide N]
//
// The scenario, in four phases a few tens of milliseconds apart, each marked
// by a user log event (category "goroscope", message "phase N"):
//
//   - before the trace starts, 2 goroutines block forever on a channel
//     receive (main.earlyLeak): they exist before the trace, so the trace
//     lists them by status events only;
//   - every phase leaks 2 goroutines on a channel receive (main.recvLeak),
//     1 on a mutex (main.lockLeak), 1 in a select on channels nobody uses
//     (main.selectLeak) and 1 on a WaitGroup (main.wgLeak);
//   - a steady pool of 3 workers (main.poolWorker) gets a job each phase;
//   - every phase runs 4 short goroutines that end (main.burst).
//
// At the end of the trace: 2 earlyLeak, 8 recvLeak, 4 lockLeak, 4 selectLeak,
// 4 wgLeak, 3 poolWorker, main. With -flight (Go 1.25+), the trace is a
// flight recorder snapshot taken at the end instead of a whole-run trace.
// With -wide N, GOMAXPROCS is N and every phase also runs N short busy
// goroutines at once (main.spin, ended by the phase's end), so that events
// come from N Ps (or Ms): more than a reader merges by scanning.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"time"
)

var (
	never = make(chan int)
	jobs  = make(chan int)
	mu    sync.Mutex
	wg    sync.WaitGroup
)

func earlyLeak() { <-never }

func recvLeak(ch chan int) { <-ch }

func lockLeak() {
	mu.Lock()
	mu.Unlock()
}

func selectLeak(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func wgLeak() { wg.Wait() }

func poolWorker() {
	for j := range jobs {
		_ = j
	}
}

func burst(done *sync.WaitGroup) {
	defer done.Done()
	time.Sleep(time.Millisecond)
}

// spin keeps a P busy for about d.
func spin(d time.Duration, done *sync.WaitGroup) {
	defer done.Done()
	for t := time.Now(); time.Since(t) < d; {
	}
}

var wide int

func phase(n int) {
	for i := 0; i < 2; i++ {
		go recvLeak(make(chan int))
	}
	go lockLeak()
	go selectLeak(make(chan int), make(chan int))
	go wgLeak()
	var done sync.WaitGroup
	for i := 0; i < 4; i++ {
		done.Add(1)
		go burst(&done)
	}
	for i := 0; i < wide; i++ {
		done.Add(1)
		go spin(2*time.Millisecond, &done)
	}
	for i := 0; i < 3; i++ {
		jobs <- n
	}
	done.Wait()
	settle()
	trace.Log(context.Background(), "goroscope", fmt.Sprintf("phase %d", n))
}

// settle waits until the leaked goroutines have parked.
func settle() {
	for i := 0; i < 20; i++ {
		runtime.Gosched()
		time.Sleep(2 * time.Millisecond)
	}
}

func main() {
	out := flag.String("o", "", "write the trace to this file")
	flight := flag.Bool("flight", false, "a flight recorder snapshot (Go 1.25+)")
	flag.IntVar(&wide, "wide", 0, "GOMAXPROCS, and busy goroutines each phase")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: traces -o FILE [-flight] [-wide N]")
		os.Exit(2)
	}
	if wide > 0 {
		runtime.GOMAXPROCS(wide)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	mu.Lock()
	wg.Add(1)
	for i := 0; i < 2; i++ {
		go earlyLeak()
	}
	for i := 0; i < 3; i++ {
		go poolWorker()
	}
	settle()
	var stop func() error
	if *flight {
		stop, err = startFlight(f)
	} else {
		err = trace.Start(f)
		stop = func() error { trace.Stop(); return nil }
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for n := 1; n <= 4; n++ {
		phase(n)
		time.Sleep(30 * time.Millisecond)
	}
	if err := stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
