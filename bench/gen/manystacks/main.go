// Command manystacks creates goroutines over a large number of distinct call
// paths (60,000 by default), waits until all of them are parked and writes the
// goroutine profile (pprof.Lookup("goroutine").WriteTo(w, 0): gzipped
// protobuf) to -o. It is the input of the pprof benchmark: one sample per
// distinct stack, tens of thousands of locations and functions.
//
// Goroutines carry pprof labels (kind, shard) that are a function of their
// stack, so labels do not add samples. The number of distinct stacks in the
// profile is counted from the debug=1 form of the same profile and printed
// on stdout with other key=value facts.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strconv"
	"time"

	"goroscope/bench/gen/internal/park"
)

func main() {
	out := flag.String("o", "", "write the goroutine profile (debug=0, gzipped protobuf) to `FILE` (required)")
	stacks := flag.Int("stacks", 60000, "number of distinct stacks")
	goroutines := flag.Int("goroutines", 100000, "number of goroutines (at least -stacks)")
	minDepth := flag.Int("mindepth", 1, "fewest level frames per stack (raised if needed to keep stacks distinct)")
	depths := flag.Int("depths", 4, "number of different stack depths")
	labels := flag.Bool("labels", true, "give goroutines pprof labels")
	debug1Out := flag.String("debug1", "", "also write the profile as debug=1 text to `FILE`")
	dumpOut := flag.String("dump", "", "also write the full debug=2 dump to `FILE`")
	maxPipes := flag.Int("maxpipes", 2000, "at most this many os.Pipe pairs for IO-wait stacks")
	seed := flag.Uint64("seed", 1, "seed of the goroutine-to-stack assignment")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 || *stacks < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *goroutines < *stacks {
		*goroutines = *stacks
	}

	start := time.Now()
	layout := park.NewLayout(*stacks, *minDepth, *depths)
	env := park.NewEnv(*maxPipes)
	picker := park.NewPicker(layout.Stacks, *seed)
	ctx := context.Background()
	for env.Spawned() < *goroutines {
		sp := layout.Spec(picker.Next())
		if *labels {
			// Spawned goroutines inherit the creator's labels.
			pprof.SetGoroutineLabels(pprof.WithLabels(ctx, pprof.Labels(
				"kind", park.KindNames[sp.Kind], "shard", strconv.Itoa(sp.ID%4))))
		}
		env.Spawn(sp)
	}
	pprof.SetGoroutineLabels(ctx)
	dump, sum := env.WaitParked(*goroutines * 1200)

	var d1 bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&d1, 1); err != nil {
		fatal(err)
	}
	records := bytes.Count(d1.Bytes(), []byte(" @ 0x"))
	writeProfile(*out, 0)
	if *debug1Out != "" {
		if err := os.WriteFile(*debug1Out, d1.Bytes(), 0o644); err != nil {
			fatal(err)
		}
	}
	if *dumpOut != "" {
		if err := os.WriteFile(*dumpOut, dump, 0o644); err != nil {
			fatal(err)
		}
	}
	st, err := os.Stat(*out)
	if err != nil {
		fatal(err)
	}
	fmt.Printf("file=%s bytes=%d goroutines=%d profile_stacks=%d dump_groups=%d stacks=%d mindepth=%d maxdepth=%d active=%d seconds=%.1f\n",
		*out, st.Size(), sum.Goroutines, records, sum.Groups, layout.Stacks,
		layout.MinDepth, layout.MinDepth+layout.Depths-1, sum.Active, time.Since(start).Seconds())
	os.Exit(0) // the parked goroutines are not waited for
}

func writeProfile(path string, debug int) {
	f, err := os.Create(path)
	if err != nil {
		fatal(err)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, debug); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "manystacks:", err)
	os.Exit(1)
}
