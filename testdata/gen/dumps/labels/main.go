// Command labels parks goroutines carrying pprof labels and dumps all stacks.
// With Go 1.26 run it under GODEBUG=tracebacklabels=1 (labels inside the
// brackets); Go 1.27 prints them by default after the brackets.
package main

import (
	"context"
	"runtime"
	"runtime/pprof"

	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

func handler()   { <-block }
func job()       { <-block }
func odd()       { <-block }
func unlabeled() { <-block }

func lockedLabeled() {
	runtime.LockOSThread()
	<-block
}

func main() {
	ctx := context.Background()
	pprof.Do(ctx, pprof.Labels("request", "GET /a]b, c: d", "user", "ana"), func(context.Context) {
		go handler()
	})
	pprof.Do(ctx, pprof.Labels("job", "resize"), func(context.Context) {
		go job()
	})
	pprof.Do(ctx, pprof.Labels("quote", `say "hi"`, "tab", "a\tb", "utf8", "café", "key with space", "v"), func(context.Context) {
		go odd()
	})
	pprof.Do(ctx, pprof.Labels("worker", "pinned-1"), func(context.Context) {
		go lockedLabeled()
	})
	go unlabeled()
	quiet.Wait(6)
	quiet.Dump()
}
