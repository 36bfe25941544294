// Command locked parks goroutines wired to their threads with
// runtime.LockOSThread (", locked to thread") and dumps all stacks.
package main

import (
	"runtime"

	"goroscope.test/gen/internal/quiet"
)

func init() { runtime.LockOSThread() } // main stays on the main thread

var block = make(chan struct{})

func lockedWaiter() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	<-block
}

func unlockedWaiter() { <-block }

func main() {
	for i := 0; i < 2; i++ {
		go lockedWaiter()
	}
	go unlockedWaiter()
	quiet.Wait(4)
	quiet.Dump()
}
