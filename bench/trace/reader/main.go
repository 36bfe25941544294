// reader reads every event of an execution trace with golang.org/x/exp/trace,
// Go's own trace reader, and counts them and the goroutine state transitions:
// the peer of goroscope in bench/run-trace.sh.
//
//	reader FILE
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"

	"golang.org/x/exp/trace"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: reader FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var events, transitions int
	goroutines := map[trace.GoID]trace.GoState{}
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		events++
		if ev.Kind() == trace.EventStateTransition {
			st := ev.StateTransition()
			if st.Resource.Kind == trace.ResourceGoroutine {
				_, to := st.Goroutine()
				goroutines[st.Resource.Goroutine()] = to
				transitions++
			}
		}
	}
	alive := 0
	for _, s := range goroutines {
		if s != trace.GoNotExist {
			alive++
		}
	}
	fmt.Printf("events %d goroutine_transitions %d goroutines %d alive_at_end %d\n",
		events, transitions, len(goroutines), alive)
}
