// Command panicparse-bench is the benchmark harness for the peer parser
// github.com/maruel/panicparse/v2: it parses a debug=2 goroutine dump with
// stack.ScanSnapshot (default options, but without GuessPaths and
// AnalyzeSources, which read the local disk), aggregates the goroutines with
// Aggregate(stack.AnyPointer) and prints "goroutines N groups M" on stdout.
//
// ScanSnapshot returns at the end of one snapshot (a line that is not part of
// a traceback ends it); the harness scans again from the returned suffix until
// EOF and aggregates all goroutines found together.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/maruel/panicparse/v2/stack"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: panicparse-bench FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()

	opts := stack.DefaultOpts()
	opts.GuessPaths = false
	opts.AnalyzeSources = false

	t0 := time.Now()
	var all *stack.Snapshot
	var in io.Reader = bufio.NewReaderSize(f, 1<<20)
	snapshots := 0
	for {
		s, suffix, err := stack.ScanSnapshot(in, io.Discard, opts)
		if s != nil {
			snapshots++
			if all == nil {
				all = s
			} else {
				all.Goroutines = append(all.Goroutines, s.Goroutines...)
			}
		}
		if err != nil && err != io.EOF {
			fmt.Fprintln(os.Stderr, "panicparse:", err)
		}
		if err != nil || (s == nil && len(suffix) == 0) {
			if err != nil && !errors.Is(err, io.EOF) && len(suffix) > 0 {
				// Skip the offending line and go on, like a tolerant reader.
				if i := bytes.IndexByte(suffix, '\n'); i >= 0 {
					in = io.MultiReader(bytes.NewReader(suffix[i+1:]), in)
					continue
				}
			}
			break
		}
		in = io.MultiReader(bytes.NewReader(suffix), in)
	}
	if all == nil {
		fmt.Println("goroutines 0 groups 0")
		return
	}
	t1 := time.Now()
	agg := all.Aggregate(stack.AnyPointer)
	fmt.Printf("goroutines %d groups %d\n", len(all.Goroutines), len(agg.Buckets))
	fmt.Fprintf(os.Stderr, "panicparse: scan %.3fs aggregate %.3fs\n", t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	if snapshots > 1 {
		fmt.Fprintf(os.Stderr, "panicparse: %d snapshots\n", snapshots)
	}
}
