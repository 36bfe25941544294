// Command panicall panics with other goroutines parked, for GOTRACEBACK=all.
//
//	-mode nested   a recovered panic, then a second panic with a multi-line
//	               message from the deferred function ("[recovered]" + TAB
//	               continuation lines)
//	-mode repanic  recover() then panic(r) with the same value (Go 1.25+:
//	               "[recovered, repanicked]")
//	-mode plain    one panic with a multi-line error value
//	-spin          a goroutine busy on another thread during the panic
//	               ("goroutine running on other thread; stack unavailable")
package main

import (
	"errors"
	"flag"
	"fmt"
	"sync"
	"time"

	"goroscope.test/gen/internal/quiet"
)

var (
	jobs = make(chan int)
	mu   sync.Mutex
)

func worker(id int) {
	for j := range jobs {
		fmt.Println(id, j)
	}
}

func ticker(stop <-chan struct{}) {
	for {
		select {
		case <-time.After(time.Hour):
		case <-stop:
			return
		}
	}
}

func blockedOnMutex() {
	mu.Lock()
	defer mu.Unlock()
}

func sleeper() { time.Sleep(time.Hour) }

var spins uint64

func spin(started chan<- struct{}) {
	close(started)
	for {
		spins++
	}
}

type configError struct{ file string }

func (e *configError) Error() string {
	return "reloading config " + e.file + ":\nline 12: unexpected token \"}\"\nline 13: missing value"
}

func main() {
	mode := flag.String("mode", "nested", "nested|repanic|plain")
	spinning := flag.Bool("spin", false, "keep a goroutine running on another thread while panicking")
	flag.Parse()
	for i := 0; i < 2; i++ {
		go worker(i)
	}
	go ticker(make(chan struct{}))
	mu.Lock()
	go blockedOnMutex()
	go sleeper()
	quiet.Wait(6)
	if *spinning {
		started := make(chan struct{})
		go spin(started)
		<-started
		time.Sleep(20 * time.Millisecond)
	}
	switch *mode {
	case "nested":
		defer func() {
			r := recover()
			panic(fmt.Errorf("after %v: %w", r, &configError{"/etc/app.conf"}))
		}()
		panic("first failure")
	case "repanic":
		defer func() {
			r := recover()
			panic(r)
		}()
		panic(errors.New("disk full"))
	default:
		panic(&configError{"/etc/app.conf"})
	}
}
