// Command otherprof writes profiles that are not goroutine profiles, so
// that tests can check goroscope refuses them with a clear message: a CPU
// profile, a heap profile (debug=0) and a threadcreate profile (debug=1).
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"
)

var sink []byte

func burn(d time.Duration) {
	end := time.Now().Add(d)
	x := 0
	for time.Now().Before(end) {
		for i := 0; i < 1e5; i++ {
			x += i * i
		}
		sink = make([]byte, 1<<10+x%7)
	}
}

func write(path string, f func(*os.File) error) {
	out, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := f(out); err != nil {
		log.Fatal(err)
	}
	if err := out.Close(); err != nil {
		log.Fatal(err)
	}
}

func main() {
	dir := flag.String("out", ".", "output directory")
	flag.Parse()
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	write(filepath.Join(*dir, "cpu.pprof"), func(f *os.File) error {
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		burn(300 * time.Millisecond)
		pprof.StopCPUProfile()
		return nil
	})
	runtime.GC()
	write(filepath.Join(*dir, "heap.pprof"), func(f *os.File) error {
		return pprof.Lookup("heap").WriteTo(f, 0)
	})
	write(filepath.Join(*dir, "threadcreate.debug1.txt"), func(f *os.File) error {
		return pprof.Lookup("threadcreate").WriteTo(f, 1)
	})
}
