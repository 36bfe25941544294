// Command samemoment parks goroutines in the waits a leak hunt meets
// (channel send and receive, select, sync.Mutex, sync.RWMutex, sync.WaitGroup,
// sync.Cond, IO wait, time.Sleep), started the ways Go wraps: `go f(args)`
// (a gowrap closure), a method value, a goroutine blocked inside a deferred
// call with arguments (a deferwrap closure). Once they are parked it writes
// the same moment in the formats being compared:
//
//	-debug2 FILE   pprof's debug=2 dump (what /debug/pprof/goroutine?debug=2 serves)
//	-debug1 FILE   pprof's debug=1 profile
//	-pprof FILE    pprof's binary goroutine profile (debug=0)
//	-trace FILE    an execution trace from the start up to this moment
//
// then prints READY and waits a minute for SIGQUIT, so that the parent
// captures the traceback of the same process (GOTRACEBACK unset, system or
// crash); with -exit it exits instead. Same goroutines, so every format
// must group them the same way (but for main, which writes the profiles
// and then sleeps).
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"sync"
	"time"

	"goroscope.test/gen/internal/quiet"
)

var (
	sendTo   = make(chan int) // nobody receives
	recvFrom = make(chan int) // nobody sends
	mu       sync.Mutex
	rw       sync.RWMutex
	wg       sync.WaitGroup
	cond     = sync.NewCond(&sync.Mutex{})
	pipeEnd  *os.File
)

func sender(ch chan int, v int) { ch <- v }

func receiver(ch chan int) { <-ch }

func selector(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

func locker() {
	mu.Lock()
	mu.Unlock()
}

func reader() {
	rw.RLock()
	rw.RUnlock()
}

func waiter() { wg.Wait() }

func condWaiter() {
	cond.L.Lock()
	cond.Wait()
	cond.L.Unlock()
}

func ioWaiter(f *os.File) {
	var b [1]byte
	f.Read(b[:])
}

func sleeper(d time.Duration) { time.Sleep(d) }

type server struct{ reqs chan int }

func (s *server) loop() {
	for range s.reqs {
	}
}

// deferBlocked blocks inside a deferred call with an argument: the
// compiler calls it through a deferwrap closure.
func deferBlocked(ch chan int) {
	defer receiver(ch)
}

func write(path string, f func(*os.File) error) {
	if path == "" {
		return
	}
	out, err := os.Create(path)
	if err == nil {
		err = f(out)
	}
	if err == nil {
		err = out.Close()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "samemoment:", err)
		os.Exit(1)
	}
}

func main() {
	debug2 := flag.String("debug2", "", "write the debug=2 dump here")
	debug1 := flag.String("debug1", "", "write the debug=1 profile here")
	prof := flag.String("pprof", "", "write the binary goroutine profile here")
	tracePath := flag.String("trace", "", "write an execution trace up to the moment here")
	exit := flag.Bool("exit", false, "exit once written instead of waiting for SIGQUIT")
	flag.Parse()

	var tf *os.File
	if *tracePath != "" {
		var err error
		if tf, err = os.Create(*tracePath); err == nil {
			err = trace.Start(tf)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "samemoment:", err)
			os.Exit(1)
		}
	}
	r, w, err := os.Pipe()
	if err != nil {
		panic(err)
	}
	pipeEnd = w
	mu.Lock()
	rw.Lock()
	wg.Add(1)
	for i := 0; i < 3; i++ {
		go sender(sendTo, i) // gowrap: arguments
	}
	for i := 0; i < 2; i++ {
		go receiver(recvFrom)
	}
	go selector(make(chan int), make(chan int))
	for i := 0; i < 4; i++ {
		go locker()
	}
	for i := 0; i < 2; i++ {
		go reader()
	}
	for i := 0; i < 2; i++ {
		go waiter()
	}
	go condWaiter()
	go ioWaiter(r)
	go sleeper(time.Hour)
	s := &server{reqs: make(chan int)}
	go s.loop() // a method value
	go deferBlocked(recvFrom)
	parked := 20 // main and the 19 above
	if tf != nil {
		parked++ // runtime/trace's writer
	}
	quiet.Wait(parked)

	write(*debug2, func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 2) })
	write(*debug1, func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 1) })
	write(*prof, func(f *os.File) error { return pprof.Lookup("goroutine").WriteTo(f, 0) })
	if tf != nil {
		trace.Stop()
		if err := tf.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "samemoment:", err)
			os.Exit(1)
		}
	}
	runtime.KeepAlive(pipeEnd)
	if *exit {
		os.Exit(0)
	}
	fmt.Println("READY")
	os.Stdout.Sync()
	time.Sleep(time.Minute) // the parent sends SIGQUIT meanwhile
	os.Exit(1)
}
