// Command elided parks goroutines deep in recursion (more than 100 frames),
// so tracebacks print "...N frames elided...", and dumps all stacks.
package main

import "goroscope.test/gen/internal/quiet"

var block = make(chan struct{})

//go:noinline
func recurse(n int) int {
	if n == 0 {
		<-block
		return 0
	}
	return recurse(n-1) + 1
}

//go:noinline
func even(n int) int {
	if n == 0 {
		<-block
		return 0
	}
	return odd(n-1) + 1
}

//go:noinline
func odd(n int) int { return even(n-1) + 1 }

func main() {
	go recurse(150) // 151 recurse frames: 50 + "...51 frames elided..." + 50
	go even(120)
	go recurse(99) // exactly 100 frames: nothing elided
	quiet.Wait(4)
	quiet.Dump()
}
