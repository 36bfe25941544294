// Command capture runs one program and writes what it prints on stderr to a
// file, the way a goroutine dump is usually captured from a crashing process.
//
//	capture -o FILE [-signal QUIT] [-want-exit N|any] [-timeout D] -- PROG ARGS...
//
// With -signal, capture waits for the child to print a line "READY" on stdout,
// waits -settle more (so its goroutines reach their blocking points), then
// sends the signal to that child (and to nothing else). Core dumps are disabled
// (RLIMIT_CORE=0, inherited by the child) so GOTRACEBACK=crash leaves no core
// file. The environment is passed through unchanged; set GOTRACEBACK, GODEBUG
// etc. around the capture command. The child's exit status is printed on
// capture's own stderr and checked against -want-exit.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "file to write the child's stderr to")
	sig := flag.String("signal", "", "signal to send after READY (QUIT, ABRT, SEGV, USR1)")
	settle := flag.Duration("settle", 300*time.Millisecond, "pause between READY and the signal")
	want := flag.String("want-exit", "any", "expected exit code, or 'any'")
	timeout := flag.Duration("timeout", 5*time.Minute, "kill the child after this long")
	flag.Parse()
	if *out == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: capture -o FILE [-signal QUIT] [-want-exit N] -- PROG ARGS...")
		os.Exit(2)
	}
	if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{}); err != nil {
		fail("setrlimit: %v", err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		fail("%v", err)
	}
	if err := cmd.Start(); err != nil {
		fail("%v", err)
	}
	timer := time.AfterFunc(*timeout, func() { cmd.Process.Kill() })
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		seen := false
		for sc.Scan() {
			if !seen && strings.TrimSpace(sc.Text()) == "READY" {
				seen = true
				close(ready)
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	if *sig != "" {
		select {
		case <-ready:
		case <-time.After(*timeout):
			cmd.Process.Kill()
			fail("child never printed READY")
		}
		time.Sleep(*settle)
		var s syscall.Signal
		switch strings.TrimPrefix(strings.ToUpper(*sig), "SIG") {
		case "QUIT":
			s = syscall.SIGQUIT
		case "ABRT":
			s = syscall.SIGABRT
		case "SEGV":
			s = syscall.SIGSEGV
		case "USR1":
			s = syscall.SIGUSR1
		default:
			fail("unknown signal %q", *sig)
		}
		if err := cmd.Process.Signal(s); err != nil {
			fail("signal: %v", err)
		}
	}
	err = cmd.Wait()
	timer.Stop()
	code := 0
	status := "exit status 0"
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		status = ee.ProcessState.String()
		code = ee.ProcessState.ExitCode()
		if ws, ok := ee.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
	} else if err != nil {
		fail("%v", err)
	}
	if err := os.WriteFile(*out, stderr.Bytes(), 0o644); err != nil {
		fail("%v", err)
	}
	fmt.Fprintf(os.Stderr, "capture: %s: %d bytes, child %s\n", *out, stderr.Len(), status)
	if *want != "any" {
		w, err := strconv.Atoi(*want)
		if err != nil || w != code {
			fail("%s: child exited with code %d, want %s", *out, code, *want)
		}
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "capture: "+format+"\n", args...)
	os.Exit(1)
}
