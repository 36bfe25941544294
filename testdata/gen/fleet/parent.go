package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

const moments = 12

const idleConns = 2 // keep-alive connections the parent opens and leaves idle

// An instance of the service, as the parent sees it.
type instance struct {
	name  string
	leak  bool
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string       // 127.0.0.1:PORT
	ctl   *http.Client // one keep-alive connection: /quiet and the captures
	idle  []net.Conn
	rows  []*row
	dir   string
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

func startInstance(exe, name string, leak bool, out string) *instance {
	in := &instance{name: name, leak: leak, dir: filepath.Join(out, name)}
	in.cmd = exec.Command(exe, "-serve", "-child", "-name", name, "-addr", "127.0.0.1:0", "-leak="+strconv.FormatBool(leak))
	in.cmd.Stderr = os.Stderr
	var err error
	if in.stdin, err = in.cmd.StdinPipe(); err != nil {
		fatal(err)
	}
	stdout, err := in.cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	childMu.Lock()
	err = in.cmd.Start()
	if err == nil {
		children = append(children, in.cmd)
	}
	childMu.Unlock()
	if err != nil {
		fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(stdout)
		l, _ := br.ReadString('\n')
		line <- l
		io.Copy(io.Discard, br)
	}()
	select {
	case l := <-line:
		f := strings.Fields(l)
		if len(f) != 5 || f[2] != "listening" {
			fatal(fmt.Errorf("instance %s: unexpected first line %q", name, l))
		}
		in.addr = f[4]
	case <-time.After(10 * time.Second):
		fatal(fmt.Errorf("instance %s: no address printed", name))
	}
	in.ctl = &http.Client{
		Timeout: time.Minute,
		Transport: &http.Transport{
			MaxConnsPerHost:     1,
			MaxIdleConnsPerHost: 1,
			DisableCompression:  true,
			IdleConnTimeout:     time.Hour,
		},
	}
	in.rows = table(leak)
	if err := os.MkdirAll(in.dir, 0o755); err != nil {
		fatal(err)
	}
	return in
}

// openIdle opens idleConns keep-alive connections, sends one GET /healthz on
// each, reads the answer and leaves the connection open and idle.
func (in *instance) openIdle() {
	for i := 0; i < idleConns; i++ {
		c, err := net.DialTimeout("tcp", in.addr, 5*time.Second)
		if err != nil {
			fatal(err)
		}
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\nUser-Agent: fleet-idle/%d\r\n\r\n", in.addr, i)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			fatal(fmt.Errorf("instance %s: idle connection %d: %v", in.name, i, err))
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok\n" {
			fatal(fmt.Errorf("instance %s: /healthz: %s %q", in.name, resp.Status, b))
		}
		in.idle = append(in.idle, c)
	}
}

func (in *instance) get(path string) ([]byte, error) {
	resp, err := in.ctl.Get("http://" + in.addr + path)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", path, resp.Status, strings.TrimSpace(string(b)))
	}
	return b, nil
}

// load sends n GET /work at once over fresh connections (no keep-alive, so
// no client connection outlives its request on the server side).
func load(insts []*instance, n int) {
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableKeepAlives: true}}
	var wg sync.WaitGroup
	errs := make(chan error, n*len(insts))
	for _, in := range insts {
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, err := client.Get("http://" + in.addr + "/work")
				if err != nil {
					errs <- err
					return
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err != nil {
					errs <- err
					return
				}
				// The enrichment backend answers after every request is over,
				// in both instances.
				if resp.StatusCode != 200 || !strings.HasSuffix(string(b), ", enrichment timed out\n") ||
					!strings.HasPrefix(string(b), in.name+": job ") {
					errs <- fmt.Errorf("instance %s: /work: %s %q", in.name, resp.Status, b)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fatal(err)
	}
}

const (
	pGoroutine = "/debug/pprof/goroutine"
)

// take makes the instance quiescent, captures moment m and checks it.
func (in *instance) take(m int) {
	nn := fmt.Sprintf("%02d", m)
	want := expectedTotal(in.rows, m)
	for attempt := 1; ; attempt++ {
		if _, err := in.get(fmt.Sprintf("/quiet?n=%d", want)); err != nil {
			fatal(fmt.Errorf("instance %s moment %s: %v", in.name, nn, err))
		}
		// All four from one call site in the child (net/http/pprof's
		// handler), over one connection: the capturing goroutine has the
		// same stack in each.
		var p [4][]byte
		var err error
		for i, q := range [4]string{"?debug=1", "", "?debug=1", "?debug=2"} {
			if p[i], err = in.get(pGoroutine + q); err != nil {
				fatal(fmt.Errorf("instance %s moment %s: %v", in.name, nn, err))
			}
		}
		d1a, d0, d1, d2 := p[0], p[1], p[2], p[3]
		if !bytesEqual(d1a, d1) {
			err = fmt.Errorf("debug=1 changed between the requests")
		}
		var records, total int
		if err == nil {
			records, total, err = checkDebug1(in.rows, m, string(d1))
		}
		if err == nil {
			err = checkDebug2(in.rows, m, string(d2))
		}
		if err == nil {
			err = checkProto(d0, records, total)
		}
		if err == nil {
			write(in.dir, nn+".pb.gz", d0)
			write(in.dir, nn+".debug1.txt", d1)
			write(in.dir, nn+".debug2.txt", d2)
			return
		}
		err = fmt.Errorf("instance %s moment %s: %v", in.name, nn, err)
		if attempt == 5 {
			rej := os.TempDir()
			pre := fmt.Sprintf("fleet-%s-%s.rejected", in.name, nn)
			write(rej, pre+".debug1.txt", d1)
			write(rej, pre+".debug2.txt", d2)
			fatal(fmt.Errorf("%v (captures kept in %s/%s.*)", err, rej, pre))
		}
		fmt.Fprintf(os.Stderr, "fleet: retrying: %v\n", err)
	}
}

// stop closes the child's stdin: it must exit with status 0 by itself.
func (in *instance) stop() error {
	for _, c := range in.idle {
		c.Close()
	}
	in.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- in.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("instance %s: %v", in.name, err)
		}
		return nil
	case <-time.After(5 * time.Second):
		in.cmd.Process.Kill()
		<-done
		return fmt.Errorf("instance %s did not exit when its stdin closed (killed)", in.name)
	}
}

func runParent(out string, requests int, gap time.Duration) {
	fatalHook = killChildren
	perMoment = requests
	exe, err := os.Executable()
	if err != nil {
		fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		fatal(err)
	}
	insts := []*instance{
		startInstance(exe, "a", true, out),
		startInstance(exe, "b", false, out),
	}
	for _, in := range insts {
		in.openIdle()
	}
	for m := 0; m < moments; m++ {
		if m > 0 {
			time.Sleep(gap)
			load(insts, requests)
		}
		for _, in := range insts {
			in.take(m)
		}
	}
	for _, in := range insts {
		writeTSV(in)
	}
	writeExpected(out, insts)
	for _, in := range insts {
		if err := in.stop(); err != nil {
			fatal(err)
		}
	}
	fmt.Fprintf(os.Stderr, "fleet: %s: instances a and b, %d moments each written\n", out, moments)
}

func write(dir, name string, b []byte) {
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		fatal(err)
	}
}
