// Command truncated writes runtime.Stack(buf, true) with a buffer too small
// for all goroutines, the way pprof's debug=2 output is cut at 64 MiB: the
// text simply stops, here in the middle of a line.
package main

import (
	"os"
	"runtime"

	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

func waiter(n int) {
	if n > 0 {
		waiter(n - 1)
		return
	}
	<-block
}

func main() {
	for i := 0; i < 8; i++ {
		go waiter(3)
	}
	quiet.Wait(9)
	size := 2000
	for {
		buf := make([]byte, size)
		n := runtime.Stack(buf, true)
		if n == size && buf[n-1] != '\n' && buf[n-2] != '\n' {
			os.Stderr.Write(buf[:n])
			return
		}
		size -= 7
	}
}
