// Command deadlock blocks every goroutine so the runtime reports
// "fatal error: all goroutines are asleep - deadlock!".
package main

import "sync"

func consumer(ch <-chan int, wg *sync.WaitGroup) {
	defer wg.Done()
	for range ch {
	}
}

func main() {
	ch := make(chan int)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go consumer(ch, &wg)
	}
	ch <- 1
	wg.Wait() // nobody closes ch
}
