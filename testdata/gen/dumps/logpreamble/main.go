// Command logpreamble logs a few unrelated lines (some of them look a little
// like traceback lines) and then panics, so the dump is preceded by log output.
package main

import (
	"log"
	"os"
	"time"

	"goroscope.test/gen/internal/quiet"
)

var block = make(chan struct{})

func worker() { <-block }

func main() {
	l := log.New(os.Stderr, "", log.LstdFlags|log.Lmicroseconds)
	l.Println("starting service version=1.4.2")
	l.Println("goroutine pool: 3 workers")
	for i := 0; i < 3; i++ {
		go worker()
	}
	l.Printf(`{"level":"warn","msg":"slow request","path":"/api/x","took":"%v"}`, 1500*time.Millisecond)
	l.Println("main.handler(0x1)\n\t/srv/app/handler.go:42")
	os.Stderr.WriteString("\n")
	quiet.Wait(4)
	var m map[string]int
	m["boom"]++ // assignment to entry in nil map
}
