// Command overflow recurses without end so the runtime throws
// "fatal error: stack overflow": "runtime: ..." diagnostic lines, a
// "runtime stack:" block (the system stack) and level-2 tracebacks with
// elided frames. The stack limit is lowered to 1 MiB to keep it quick.
package main

import (
	"runtime/debug"

	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

func waiter() { <-block }

//go:noinline
func descend(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	return descend(n+1) + int(pad[(n+1)%64])
}

func main() {
	debug.SetMaxStack(1 << 20)
	go waiter()
	quiet.Wait(2)
	descend(0)
}
