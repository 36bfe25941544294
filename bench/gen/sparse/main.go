// Command sparse writes a long series of goroutine profiles (debug=1 text,
// appended one after the other into one file) in which many distinct
// groups come and go: each snapshot starts -new groups that live -life
// snapshots, so -n snapshots hold n*new distinct groups in all but only
// about new*life at any moment. Beside them run a few groups that last the
// whole series: one that grows by one per snapshot (a leak), one steady.
//
// It is the input of bench/run-memory.sh: series memory must follow the
// data (the groups and the snapshots each appears in), not snapshots x
// groups.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
)

func main() {
	n := flag.Int("n", 1000, "snapshots")
	groups := flag.Int("groups", 100000, "distinct short-lived groups in all")
	life := flag.Int("life", 10, "snapshots each short-lived group lives")
	out := flag.String("o", "", "output file (default stdout)")
	flag.Parse()
	if *n < 1 || *groups < *n || *life < 1 {
		fmt.Fprintln(os.Stderr, "sparse: need -n >= 1, -groups >= -n, -life >= 1")
		os.Exit(2)
	}
	f := os.Stdout
	if *out != "" {
		var err error
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, "sparse:", err)
			os.Exit(1)
		}
	}
	w := bufio.NewWriterSize(f, 1<<20)
	perSnap := *groups / *n // new groups started by each snapshot
	for s := 0; s < *n; s++ {
		// Groups alive in s: those started by snapshots s-life+1 .. s.
		first := s - *life + 1
		if first < 0 {
			first = 0
		}
		alive := (s - first + 1) * perSnap
		leak := s + 1
		total := alive*2 + leak + 4
		fmt.Fprintf(w, "goroutine profile: total %d\n", total)
		fmt.Fprintf(w, "%d @ 0x43a1f6 0x406b25 0x4a1c3a 0x46e3c1\n", leak)
		fmt.Fprintf(w, "#\t0x4a1c39\tmain.enrich+0x59\t/srv/app/enrich.go:41\n\n")
		fmt.Fprintf(w, "4 @ 0x43a1f6 0x44a8b3 0x4a1d10 0x46e3c1\n")
		fmt.Fprintf(w, "#\t0x4a1d0f\tmain.poolWorker+0x2f\t/srv/app/pool.go:17\n\n")
		for b := first; b <= s; b++ {
			for j := 0; j < perSnap; j++ {
				g := b*perSnap + j
				pc := 0x500000 + g*0x40
				fmt.Fprintf(w, "2 @ 0x43a1f6 0x406b25 %#x 0x46e3c1\n", pc+1)
				fmt.Fprintf(w, "#\t%#x\tmain.job%06d+0x1c\t/srv/app/jobs.go:%d\n\n",
					pc, g, 100+g%5000)
			}
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "sparse:", err)
		os.Exit(1)
	}
	if *out != "" {
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "sparse:", err)
			os.Exit(1)
		}
	}
}
