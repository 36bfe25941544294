// Package quiet waits until a process's goroutines have reached their
// blocking points, so a dump taken right after shows them parked.
package quiet

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"time"
)

// Wait returns once runtime.NumGoroutine() == n (n < 0: any count) and no
// goroutine other than the caller is running or runnable, with the same
// stacks over three polls. skip lists status words (as in "[running]") that
// are expected for some goroutines, e.g. "syscall" for a goroutine blocked in
// C or "running" for a busy loop.
func Wait(n int, skip ...string) {
	buf := make([]byte, 1<<20)
	var prev []byte
	stable := 0
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond)
		k := runtime.Stack(buf, true)
		s := buf[:k]
		// drop the caller's own block
		if i := bytes.Index(s, []byte("\n\n")); i >= 0 {
			s = s[i+2:]
		} else {
			s = nil
		}
		ok := n < 0 || runtime.NumGoroutine() == n
		for _, st := range []string{"running", "runnable", "syscall", "preempted"} {
			allowed := false
			for _, sk := range skip {
				allowed = allowed || sk == st
			}
			if !allowed && bytes.Contains(s, []byte(" ["+st)) {
				ok = false
			}
		}
		if ok && bytes.Equal(s, prev) {
			stable++
			if stable >= 3 {
				return
			}
		} else {
			stable = 0
		}
		prev = append(prev[:0], s...)
	}
	fmt.Fprintf(os.Stderr, "quiet: goroutines did not settle (NumGoroutine=%d, want %d)\n", runtime.NumGoroutine(), n)
	os.Exit(3)
}

// Dump writes runtime.Stack(all) to stderr, growing the buffer as needed.
func Dump() {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			os.Stderr.Write(buf[:n])
			return
		}
		buf = make([]byte, 2*len(buf))
	}
}
