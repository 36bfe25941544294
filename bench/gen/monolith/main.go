// Command monolith makes the dump of a program with a large monolith's
// variety of stacks: it writes the Go source of such a program (-src DIR:
// -funcs stage functions over -pkgs packages, each with -sites call sites
// on distinct lines, so up to funcs x sites distinct frames), builds it
// with -trimpath, runs it, and writes the debug=2 dump the program takes of
// itself (runtime.Stack(buf, true) once every goroutine is parked) to -o.
//
// The program starts -goroutines goroutines over -stacks distinct stacks;
// each stack walks -mindepth or more stage frames, the outer two from small
// shared sets and every deeper one its own, then blocks in one of eleven
// ways. The defaults give the dump of issue 15: about 130 MB, 120,000
// goroutines, 60,000 stacks, 600,000 distinct frames.
//
// It prints one line of key=value facts about the dump on stdout, counted
// from the dump itself (internal/park.Summarize).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"goroscope/bench/gen/internal/park"
)

func main() {
	out := flag.String("o", "", "write the debug=2 dump to `FILE` (required)")
	src := flag.String("src", "", "write the program's source into `DIR` and build it there (required)")
	funcs := flag.Int("funcs", 4000, "stage functions")
	sites := flag.Int("sites", 160, "call sites (distinct lines) per stage function")
	pkgs := flag.Int("pkgs", 24, "packages the stage functions are spread over")
	files := flag.Int("files", 6, "files per package")
	stacks := flag.Int("stacks", 60000, "distinct stacks")
	goroutines := flag.Int("goroutines", 120000, "goroutines (at least -stacks)")
	minDepth := flag.Int("mindepth", 11, "fewest stage frames per stack (at least 3)")
	depths := flag.Int("depths", 3, "number of different depths")
	seed := flag.Uint64("seed", 1, "seed of the goroutine-to-stack assignment")
	flag.Parse()
	if *out == "" || *src == "" || flag.NArg() != 0 || *funcs < 1 || *sites < 1 ||
		*sites > 65535 || *pkgs < 1 || *files < 1 {
		flag.Usage()
		os.Exit(2)
	}

	start := time.Now()
	dir, err := filepath.Abs(*src)
	if err != nil {
		fatal(err)
	}
	if err := writeSource(dir, shape{funcs: *funcs, sites: *sites, pkgs: *pkgs, files: *files}); err != nil {
		fatal(err)
	}
	bin := filepath.Join(dir, "mono")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	build.Dir = dir
	build.Env = append(os.Environ(), "GOWORK=off")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fatal(fmt.Errorf("building %s: %v", dir, err))
	}
	built := time.Now()

	run := exec.Command(bin, "-o", *out,
		"-stacks", strconv.Itoa(*stacks), "-goroutines", strconv.Itoa(*goroutines),
		"-mindepth", strconv.Itoa(*minDepth), "-depths", strconv.Itoa(*depths),
		"-seed", strconv.FormatUint(*seed, 10))
	run.Stdout, run.Stderr = os.Stderr, os.Stderr
	if err := run.Run(); err != nil {
		fatal(fmt.Errorf("running %s: %v", bin, err))
	}
	ran := time.Now()

	dump, err := os.ReadFile(*out)
	if err != nil {
		fatal(err)
	}
	sum := park.Summarize(dump)
	fmt.Printf("file=%s bytes=%d goroutines=%d groups=%d stacks=%d frames=%d funcs=%d sites=%d mindepth=%d maxdepth=%d maxframes=%d active=%d build_seconds=%.1f run_seconds=%.1f\n",
		*out, sum.Bytes, sum.Goroutines, sum.Groups, *stacks, sum.Frames, *funcs, *sites,
		*minDepth, *minDepth+*depths-1, sum.MaxFrames, sum.Active,
		built.Sub(start).Seconds(), ran.Sub(built).Seconds())
	for st, c := range sum.States {
		fmt.Fprintf(os.Stderr, "monolith: state %-28q %d\n", st, c)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "monolith:", err)
	os.Exit(1)
}
