// Command series writes a time series of goroutine profiles from one real
// process: goroutines over -stacks distinct call paths, and before each of
// -n captures a few more goroutines on randomly chosen paths, so that every
// group's count walks up over the series. Each capture is written as
// NNNN.pb.gz (pprof.Lookup("goroutine").WriteTo(w, 0)) into -dir. It is the
// input of the trend benchmark: a thousand snapshots of a thousand groups.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"goroscope/bench/gen/internal/park"
)

func main() {
	dir := flag.String("dir", "", "write the captures into `DIR` (required)")
	n := flag.Int("n", 1000, "number of captures")
	stacks := flag.Int("stacks", 1000, "number of distinct call paths")
	per := flag.Int("per", 2, "goroutines added before each capture")
	seed := flag.Uint64("seed", 1, "seed of the path choices")
	flag.Parse()
	if *dir == "" || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	layout := park.NewLayout(*stacks, 1, 4)
	env := park.NewEnv(200)
	picker := park.NewPicker(layout.Stacks, *seed)
	for k := 0; k < layout.Stacks; k++ {
		env.Spawn(layout.Spec(k))
	}
	for i := 0; i < *n; i++ {
		for j := 0; j < *per; j++ {
			env.Spawn(layout.Spec(picker.Next()))
		}
		env.WaitCounted()
		path := filepath.Join(*dir, fmt.Sprintf("%04d.pb.gz", i))
		f, err := os.Create(path)
		if err == nil {
			err = pprof.Lookup("goroutine").WriteTo(f, 0)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	fmt.Printf("captures=%d stacks=%d goroutines=%d seconds=%.1f\n", *n,
		layout.Stacks, env.Spawned(), time.Since(start).Seconds())
}
