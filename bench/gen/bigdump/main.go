// Command bigdump creates a large number of goroutines over many distinct
// stacks, waits until all of them are parked, and writes a debug=2-style dump
// of all goroutines (runtime.Stack(buf, true) with a buffer grown until the
// whole dump fits, so it is not cut at 64 MiB like pprof's debug=2 writer).
//
// Optionally, at the same moment, it writes the goroutine profile as a
// gzipped protobuf (-pprof, debug=0), as debug=1 text (-debug1), and the dump
// exactly as pprof.Lookup("goroutine").WriteTo(w, 2) writes it (-truncated):
// that writer stops at 64 MiB, cutting the dump mid-line.
//
// By default the number of goroutines is tuned so that the dump is about
// -size MB (10^6 bytes); -goroutines N fixes it instead.
//
// It prints one line of key=value facts about the dump on stdout.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"goroscope/bench/gen/internal/park"
)

func main() {
	out := flag.String("o", "", "write the full debug=2 dump to `FILE` (required unless -truncated)")
	size := flag.Float64("size", 100, "target dump size in `MB` (10^6 bytes), when -goroutines is 0")
	goroutines := flag.Int("goroutines", 0, "number of goroutines to create (0: tune to -size)")
	stacks := flag.Int("stacks", 2000, "number of distinct stacks")
	minDepth := flag.Int("mindepth", 1, "fewest level frames per stack (raised if needed to keep stacks distinct)")
	depths := flag.Int("depths", 4, "number of different stack depths")
	pprofOut := flag.String("pprof", "", "also write the goroutine profile (debug=0, gzipped protobuf) to `FILE`")
	debug1Out := flag.String("debug1", "", "also write the goroutine profile as debug=1 text to `FILE`")
	truncOut := flag.String("truncated", "", "also write the dump as pprof's WriteTo(w, 2) does (cut at 64 MiB) to `FILE`")
	maxPipes := flag.Int("maxpipes", 2000, "at most this many os.Pipe pairs for IO-wait stacks")
	seed := flag.Uint64("seed", 1, "seed of the goroutine-to-stack assignment")
	flag.Parse()
	if *out == "" && *truncOut == "" || flag.NArg() != 0 || *stacks < 1 {
		flag.Usage()
		os.Exit(2)
	}

	start := time.Now()
	layout := park.NewLayout(*stacks, *minDepth, *depths)
	specs := make([]park.Spec, layout.Stacks)
	for k := range specs {
		specs[k] = layout.Spec(k)
	}
	env := park.NewEnv(*maxPipes)
	picker := park.NewPicker(layout.Stacks, *seed)
	spawnUpTo := func(n int) {
		for env.Spawned() < n {
			env.Spawn(specs[picker.Next()])
		}
	}

	target := int(*size * 1e6)
	n := *goroutines
	if n <= 0 {
		n = max(layout.Stacks, min(20000, target/900))
	}
	spawnUpTo(n)
	dump, sum := env.WaitParked(n * 1200)
	if *goroutines <= 0 {
		// Scale the goroutine count to the target size; a few rounds, since
		// the first goroutines cover every stack once and the rest are skewed.
		for round := 0; round < 6; round++ {
			perG := float64(len(dump)) / float64(sum.Goroutines)
			want := int(float64(target) / perG)
			if float64(abs(len(dump)-target)) < 0.005*float64(target) || want <= env.Spawned() {
				break
			}
			dump = nil
			spawnUpTo(want)
			dump, sum = env.WaitParked(target + target/8)
		}
	}

	if *out != "" {
		if err := os.WriteFile(*out, dump, 0o644); err != nil {
			fatal(err)
		}
	}
	writeProfile(*pprofOut, 0)
	writeProfile(*debug1Out, 1)
	writeProfile(*truncOut, 2)
	if *truncOut != "" && len(dump) < 64<<20 {
		fmt.Fprintf(os.Stderr, "bigdump: warning: the dump (%d bytes) is under 64 MiB, so -truncated is not cut; use more goroutines\n", len(dump))
	}

	fmt.Printf("file=%s bytes=%d goroutines=%d groups=%d stacks=%d spawned=%d mindepth=%d maxdepth=%d maxframes=%d active=%d seconds=%.1f\n",
		*out, sum.Bytes, sum.Goroutines, sum.Groups, layout.Stacks, env.Spawned(),
		layout.MinDepth, layout.MinDepth+layout.Depths-1, sum.MaxFrames, sum.Active,
		time.Since(start).Seconds())
	for st, c := range sum.States {
		fmt.Fprintf(os.Stderr, "bigdump: state %-28q %d\n", st, c)
	}
	os.Exit(0) // the parked goroutines are not waited for
}

func writeProfile(path string, debug int) {
	if path == "" {
		return
	}
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

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "bigdump:", err)
	os.Exit(1)
}
