// Command acceptflip catches one goroutine, a server's accept loop, in the
// two states it flips between under a stream of connections: parked in the
// netpoller ([IO wait]) and inside the accept4 system call ([syscall]).
// It writes a debug=2 dump of each moment:
//
//	-io FILE        a dump with the accept loop in [IO wait]
//	-syscall FILE   a dump with the accept loop in [syscall]
//
// The two are the same goroutine doing the same thing; goroscope must put
// it in one group in both (diff shows no new or gone group for it).
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"regexp"
	"runtime/pprof"
	"time"
)

func acceptLoop(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Close()
	}
}

func dial(addr string) {
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
	}
}

var header = regexp.MustCompile(`(?m)^goroutine \d+ \[([^\],]+)[^\]]*\]:\n(?:.*\n)*?main\.acceptLoop\(`)

// The state the accept loop is in, in the dump d.
func acceptState(d []byte) string {
	// Goroutine blocks are separated by blank lines: find the one that
	// holds main.acceptLoop.
	for _, blk := range bytes.Split(d, []byte("\n\n")) {
		if m := header.FindSubmatch(append(blk, '\n')); m != nil {
			return string(m[1])
		}
	}
	return ""
}

func main() {
	ioOut := flag.String("io", "", "write the [IO wait] dump to `FILE`")
	scOut := flag.String("syscall", "", "write the [syscall] dump to `FILE`")
	flag.Parse()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	go acceptLoop(ln)
	for i := 0; i < 4; i++ {
		go dial(ln.Addr().String())
	}
	var io, sc []byte
	deadline := time.Now().Add(60 * time.Second)
	for (io == nil || sc == nil) && time.Now().Before(deadline) {
		var b bytes.Buffer
		pprof.Lookup("goroutine").WriteTo(&b, 2)
		switch acceptState(b.Bytes()) {
		case "IO wait":
			if io == nil {
				io = b.Bytes()
			}
		case "syscall":
			if sc == nil {
				sc = b.Bytes()
			}
		}
	}
	if io == nil || sc == nil {
		fmt.Fprintln(os.Stderr, "acceptflip: did not see both states in 60s")
		os.Exit(1)
	}
	if err := os.WriteFile(*ioOut, io, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(*scOut, sc, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
