package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A child process of the parent.
type proc struct {
	name  string
	cmd   *exec.Cmd
	stdin io.WriteCloser
	line  string      // its first line of output
	rest  chan string // the others, once it has exited
}

var (
	childMu  sync.Mutex
	children []*exec.Cmd
)

func killChildren() {
	childMu.Lock()
	defer childMu.Unlock()
	for _, c := range children {
		if c.Process != nil && c.ProcessState == nil {
			c.Process.Kill()
		}
	}
}

// start runs exe with args and waits for its first line, which must begin
// with want.
func start(name, exe string, want string, args ...string) *proc {
	p := &proc{name: name, cmd: exec.Command(exe, args...), rest: make(chan string, 1)}
	p.cmd.Stderr = os.Stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	childMu.Lock()
	err = p.cmd.Start()
	if err == nil {
		children = append(children, p.cmd)
	}
	childMu.Unlock()
	if err != nil {
		fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		l, _ := br.ReadString('\n')
		line <- strings.TrimSpace(l)
		b, _ := io.ReadAll(br)
		p.rest <- strings.TrimSpace(string(b))
	}()
	select {
	case p.line = <-line:
		if !strings.HasPrefix(p.line, want) {
			fatal(fmt.Errorf("%s: unexpected first line %q", name, p.line))
		}
	case <-time.After(15 * time.Second):
		fatal(fmt.Errorf("%s: no first line in 15 s", name))
	}
	return p
}

// stop closes the child's stdin: it must exit with status 0 by itself.
func (p *proc) stop() error {
	p.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("%s: %v", p.name, err)
		}
		return nil
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
		return fmt.Errorf("%s did not exit when its stdin closed (killed)", p.name)
	}
}

func pprofClient() *http.Client {
	return &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
			DisableCompression:  true,
			IdleConnTimeout:     time.Hour,
		},
	}
}

func get(c *http.Client, url string) ([]byte, error) {
	resp, err := c.Get(url)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

// A run's facts, for EXPECTED.md.
type runInfo struct {
	dir          string
	leak, stress bool
	moments      int
	gap, warm    time.Duration
	traceSec     float64
	conns        int
	at           []time.Duration // moment NN's debug=0 request, from the trace request
	spread       []time.Duration // from the debug=0 request to the end of the debug=2 answer
	totals1      []int           // debug=1 totals
	totals2      []int           // debug=2 goroutines
	traceBytes   int
	wall         time.Duration
	burnerLine   string
	clientStats  string
}

const (
	traceLead = 150 * time.Millisecond // trace start -> moment 00
	traceTail = 150 * time.Millisecond // last moment -> trace end
)

func runParent(out string, leak bool, hogPerCPU, moments int, gap, warm time.Duration, conns int) {
	stress := hogPerCPU > 0
	fatalHook = killChildren
	begin := time.Now()
	exe, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fatal(err)
	}
	if ents, _ := os.ReadDir(out); len(ents) > 0 {
		fatal(fmt.Errorf("%s is not empty", out))
	}
	ri := &runInfo{dir: out, leak: leak, stress: stress, moments: moments, gap: gap, warm: warm, conns: conns}

	srv := start("server", exe, "keepalive: server listening on ", "-role", "server", "-child", "-addr", "127.0.0.1:0", "-leak="+strconv.FormatBool(leak))
	addr := strings.TrimPrefix(srv.line, "keepalive: server listening on ")
	base := "http://" + addr
	cli := start("client", exe, "keepalive: client ready", "-role", "client", "-child", "-addr", addr, "-conns", strconv.Itoa(conns))
	var hog *proc
	if stress {
		hog = start("burner", exe, "keepalive: burning: ", "-role", "burn", "-child", "-threads", strconv.Itoa(hogPerCPU*runtime.NumCPU()))
		ri.burnerLine = hog.line
	}
	time.Sleep(warm)

	// One execution trace over the whole capture window, on a connection of
	// its own.
	window := traceLead + time.Duration(moments-1)*gap + traceTail
	ri.traceSec = window.Seconds()
	type traceResult struct {
		b   []byte
		err error
	}
	traced := make(chan traceResult, 1)
	t0 := time.Now()
	go func() {
		b, err := get(pprofClient(), fmt.Sprintf("%s/debug/pprof/trace?seconds=%.3f", base, ri.traceSec))
		traced <- traceResult{b, err}
	}()

	ctl := pprofClient()
	for m := range moments {
		nn := fmt.Sprintf("%02d", m)
		time.Sleep(time.Until(t0.Add(traceLead + time.Duration(m)*gap)))
		at := time.Since(t0)
		var p [3][]byte
		for i, q := range [3]string{"", "?debug=1", "?debug=2"} {
			if p[i], err = get(ctl, base+"/debug/pprof/goroutine"+q); err != nil {
				fatal(fmt.Errorf("moment %s: %v", nn, err))
			}
		}
		ri.at = append(ri.at, at)
		ri.spread = append(ri.spread, time.Since(t0)-at)
		if err := checkProto(p[0]); err != nil {
			fatal(fmt.Errorf("moment %s: %v", nn, err))
		}
		total, err := debug1Total(p[1])
		if err != nil {
			fatal(fmt.Errorf("moment %s: %v", nn, err))
		}
		gs, err := parseDebug2(string(p[2]))
		if err != nil {
			fatal(fmt.Errorf("moment %s: debug=2: %v", nn, err))
		}
		ri.totals1 = append(ri.totals1, total)
		ri.totals2 = append(ri.totals2, len(gs))
		write(out, nn+".pb.gz", p[0])
		write(out, nn+".debug1.txt", p[1])
		write(out, nn+".debug2.txt", p[2])
	}
	tr := <-traced
	if tr.err != nil {
		fatal(fmt.Errorf("trace: %v", tr.err))
	}
	if !bytes.HasPrefix(tr.b, []byte("go 1.")) {
		fatal(fmt.Errorf("trace: does not start with a trace header: %q", tr.b[:min(len(tr.b), 16)]))
	}
	ri.traceBytes = len(tr.b)
	write(out, "run.trace", tr.b)

	for _, p := range []*proc{cli, hog, srv} {
		if p == nil {
			continue
		}
		if err := p.stop(); err != nil {
			fatal(err)
		}
	}
	ri.wall = time.Since(begin)
	select {
	case ri.clientStats = <-cli.rest:
	case <-time.After(5 * time.Second):
	}

	rows, err := groundTruth(out, moments, leak)
	if err != nil {
		fatal(err)
	}
	writeTSV(out, rows, moments)
	writeExpected(ri, rows)
	var sum []string
	for _, r := range rows {
		if r.leak {
			sum = append(sum, fmt.Sprintf("%s %d->%d", r.name, r.counts[0], r.counts[moments-1]))
		}
	}
	if len(sum) == 0 {
		sum = append(sum, "no leak")
	}
	fmt.Fprintf(os.Stderr, "keepalive: %s: %d moments, trace %d bytes, totals %v; %s\n", out, moments, ri.traceBytes, ri.totals2, strings.Join(sum, ", "))
}

// checkProto checks that the debug=0 answer is a gzipped profile.
func checkProto(b []byte) error {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("debug=0: %v", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("debug=0: %v", err)
	}
	if !bytes.Contains(raw, []byte("goroutine")) {
		return fmt.Errorf("debug=0: no goroutine sample type")
	}
	return nil
}

func debug1Total(b []byte) (int, error) {
	var total int
	head, _, _ := strings.Cut(string(b), "\n")
	if _, err := fmt.Sscanf(head, "goroutine profile: total %d", &total); err != nil {
		return 0, fmt.Errorf("debug=1 header %q: %v", head, err)
	}
	return total, nil
}

func write(dir, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		fatal(err)
	}
}
