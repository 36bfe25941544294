// Command sigquit parks goroutines in several states (channel, select,
// LockOSThread, raw blocking syscall, a busy loop on another thread), prints
// READY and waits for its parent to send SIGQUIT. Run under
// GOTRACEBACK=system or GOTRACEBACK=crash.
package main

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"

	"goroscope.test/gen/internal/quiet"
)

var jobs = make(chan int)

func worker() {
	for range jobs {
	}
}

func lockedWorker() {
	runtime.LockOSThread()
	<-jobs
}

func waitBoth(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

// rawRead blocks in read(2) on a pipe nobody writes: state "syscall".
func rawRead(fd int) {
	var b [1]byte
	syscall.Read(fd, b[:])
}

var spins uint64

func spin() {
	for {
		spins++
	}
}

func main() {
	for i := 0; i < 2; i++ {
		go worker()
	}
	go lockedWorker()
	go waitBoth(make(chan int), make(chan int))
	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		panic(err)
	}
	go rawRead(p[0])
	quiet.Wait(6, "syscall")
	go spin()
	time.Sleep(50 * time.Millisecond)
	fmt.Println("READY")
	os.Stdout.Sync()
	time.Sleep(time.Minute) // the parent sends SIGQUIT meanwhile
	os.Exit(1)
}
