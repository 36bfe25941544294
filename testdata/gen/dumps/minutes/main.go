// Command minutes parks goroutines for more than a minute and then writes the
// debug=2 goroutine profile to stderr, so headers carry ", N minutes".
//
// Timeline with the default -wait 125s (a runtime.GC() after each step):
//
//	t=0     early* park, GC #1
//	t=62s   middleWaiter parks, GC #2
//	t=125s  lateWaiter parks, GC #3, then afterGCWaiter parks (no GC), dump
//
// The runtime records a goroutine's wait start (g.waitsince) during the first
// GC mark phase that finds it blocked, but the value it stores is
// work.tstart, which is only updated at mark termination, i.e. the start time
// of the previous GC cycle. Observed with Go 1.26.8: early* and middleWaiter
// print "2 minutes", lateWaiter (parked about a second before the dump) prints
// "1 minutes", afterGCWaiter prints no minutes. So ", N minutes" is not a
// lower bound on the wait: it can exceed it by the interval between two GCs.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

func earlyWaiter()   { <-block }
func middleWaiter()  { <-block }
func lateWaiter()    { <-block }
func afterGCWaiter() { <-block }

func earlyLockedWaiter() {
	runtime.LockOSThread()
	<-block
}

func earlySleeper() { time.Sleep(time.Hour) }

func main() {
	wait := flag.Duration("wait", 125*time.Second, "time between the first park and the dump")
	flag.Parse()
	start := time.Now()
	for i := 0; i < 2; i++ {
		go earlyWaiter()
	}
	go earlyLockedWaiter()
	go earlySleeper()
	quiet.Wait(5)
	runtime.GC()
	time.Sleep(*wait - 63*time.Second)
	go middleWaiter()
	quiet.Wait(6)
	runtime.GC()
	time.Sleep(time.Until(start.Add(*wait)))
	go lateWaiter()
	quiet.Wait(7)
	runtime.GC()
	go afterGCWaiter()
	quiet.Wait(8)
	fmt.Fprintf(os.Stdout, "dumping after %v\n", time.Since(start).Round(time.Second))
	pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
}
