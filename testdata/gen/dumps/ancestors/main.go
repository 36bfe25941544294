// Command ancestors builds chains of goroutines creating goroutines and dumps
// all stacks; run with GODEBUG=tracebackancestors=3 to get
// "[originating from goroutine N]:" blocks.
package main

import (
	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

// spawner creates the next link of the chain from a few frames deep, then
// either waits or exits.
//
//go:noinline
func spawner(depth int, wait bool) {
	if depth == 0 {
		<-block // the leaf
		return
	}
	spawnVia(depth, wait)
	if wait {
		<-block
	}
}

//go:noinline
func spawnVia(depth int, wait bool) {
	go spawner(depth-1, !wait)
}

func main() {
	go spawner(5, true) // links alternate: waiting, exited, waiting, ...
	go spawner(2, false)
	quiet.Wait(-1)
	quiet.Dump()
}
