// Command gostackparse-bench is the benchmark harness for the peer parser
// github.com/DataDog/gostackparse: it parses a debug=2 goroutine dump with
// gostackparse.Parse, groups the goroutines by state + every frame's
// (Func, File, Line) + created-by frame, and prints
// "goroutines N groups M" on stdout (and the number of parse errors on
// stderr, if any).
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/DataDog/gostackparse"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gostackparse-bench FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()

	t0 := time.Now()
	goroutines, errs := gostackparse.Parse(bufio.NewReaderSize(f, 1<<20))

	t1 := time.Now()
	groups := make(map[string]int)
	var key strings.Builder
	for _, g := range goroutines {
		key.Reset()
		key.WriteString(g.State)
		for _, fr := range g.Stack {
			writeFrame(&key, fr)
		}
		key.WriteString("|created by")
		if g.CreatedBy != nil {
			writeFrame(&key, g.CreatedBy)
		}
		groups[key.String()]++
	}
	fmt.Printf("goroutines %d groups %d\n", len(goroutines), len(groups))
	fmt.Fprintf(os.Stderr, "gostackparse: parse %.3fs group %.3fs\n", t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	if len(errs) > 0 {
		fmt.Fprintf(os.Stderr, "gostackparse: %d parse errors, first: %v\n", len(errs), errs[0])
	}
}

func writeFrame(b *strings.Builder, fr *gostackparse.Frame) {
	b.WriteByte('|')
	b.WriteString(fr.Func)
	b.WriteByte(' ')
	b.WriteString(fr.File)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(fr.Line))
}
