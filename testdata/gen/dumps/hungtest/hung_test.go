// Package hungtest is a test that hangs: run its test binary with
// -test.timeout 2s -test.parallel 1 and the testing package panics with
// "test timed out" and prints every goroutine to stderr.
//
// Its goroutines: the testing package's own runners, each waiting for tests
// it started (main in (*T).Run; TestPaused paused in (*T).Parallel until
// the serial tests end; TestHang in (*T).Run waiting for "group"; "group",
// whose function has returned, in tRunner waiting for its parallel
// subtests; "par1" waiting for a parallel slot, which "par0" holds), and
// the test's own goroutines, which are what hangs: "par0" blocked in
// select {} and a worker TestHang left behind.
package hungtest

import "testing"

func worker(jobs <-chan int) {
	for range jobs {
	}
}

// TestPaused runs first and pauses until the serial tests are done, which
// they never are.
func TestPaused(t *testing.T) {
	t.Parallel()
}

func TestHang(t *testing.T) {
	jobs := make(chan int)
	go worker(jobs) // nobody closes jobs
	t.Run("group", func(t *testing.T) {
		for _, name := range []string{"par0", "par1"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				select {}
			})
		}
	})
}
