// Package synctestdump dumps all goroutine stacks from inside a
// testing/synctest bubble: headers with " (durable)" and ", synctest bubble N".
// Build with `go test -c` and run the binary; the dump goes to stderr.
package synctestdump

import (
	"context"
	"os"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

var outside, outside2 = make(chan struct{}), make(chan struct{})

func bubbleReceiver(ch <-chan int) { <-ch }
func bubbleSelect(a, b <-chan int) {
	select {
	case <-a:
	case <-b:
	}
}
func bubbleSleeper()                     { time.Sleep(time.Hour) }
func bubbleWaitGroup(wg *sync.WaitGroup) { wg.Wait() }
func bubbleMutex(mu *sync.Mutex)         { mu.Lock(); mu.Unlock() }
func bubbleOutsideChan()                 { <-outside2 }
func bubbleContext(ctx context.Context)  { <-ctx.Done() }
func outsideWaiter()                     { <-outside }

func TestBubbleDump(t *testing.T) {
	go outsideWaiter()
	synctest.Test(t, func(t *testing.T) {
		ch, a, b := make(chan int), make(chan int), make(chan int)
		var wg sync.WaitGroup
		wg.Add(1)
		var mu sync.Mutex
		mu.Lock()
		ctx, cancel := context.WithCancel(context.Background())
		go bubbleReceiver(ch)
		go bubbleSelect(a, b)
		go bubbleSleeper()
		go bubbleWaitGroup(&wg)
		go bubbleMutex(&mu)    // not durably blocked
		go bubbleOutsideChan() // channel from outside the bubble: not durable
		go bubbleContext(ctx)
		for i := 0; i < 100; i++ {
			runtime.Gosched()
		}
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		os.Stderr.Write(buf[:n])
		// let everything finish so the bubble can exit
		close(ch)
		close(a)
		wg.Done()
		mu.Unlock()
		cancel()
		close(outside2)
		time.Sleep(2 * time.Hour) // fake time: wakes bubbleSleeper
		synctest.Wait()
	})
	close(outside)
}
