// Package park creates large numbers of goroutines with many distinct,
// deterministic stacks and parks them in a mix of blocking states, so that the
// benchmark generators can capture realistic goroutine dumps and profiles.
//
// A stack is described by a Spec: a call path through eight "level" functions
// (plain functions, pointer and value methods, a generic function, a generic
// method, a closure and an inlined helper, in two files) followed by one of
// NumKinds blocking leaves. Spec k (0 <= k < number of stacks) is a pure
// function of k, so the same flags always give the same set of stacks.
package park

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Kind is the way a goroutine blocks at the bottom of its stack.
type Kind uint8

const (
	ChanRecv      Kind = iota // [chan receive]
	ChanSend                  // [chan send]
	Select                    // [select]
	Mutex                     // [sync.Mutex.Lock]
	RWMutex                   // [sync.RWMutex.RLock]
	WaitGroup                 // [sync.WaitGroup.Wait]
	Cond                      // [sync.Cond.Wait]
	Sleep                     // [sleep]
	IOWait                    // [IO wait] on an os.Pipe (other readers of the pipe: [semacquire])
	NetPipe                   // [select] inside net.(*pipe).read
	NilChan                   // [chan receive (nil chan)]
	SelectNoCases             // [select (no cases)]
	NumKinds
)

// KindNames are the short names of the kinds, for labels and reports.
var KindNames = [NumKinds]string{
	"chanrecv", "chansend", "select", "mutex", "rwmutex", "waitgroup",
	"cond", "sleep", "iowait", "netpipe", "nilchan", "selectnocases",
}

// NumLevels is the number of level functions a path digit chooses from.
const NumLevels = 8

// Spec is one distinct stack: Path[0] picks the goroutine's entry function,
// Path[i] the function called at depth i, Kind the blocking leaf.
type Spec struct {
	ID   int
	Path []uint8
	Kind Kind
	pipe int
	env  *Env
}

// Layout maps stack indexes to Specs.
type Layout struct {
	Stacks   int // number of distinct stacks
	MinDepth int // shortest path (number of level frames)
	Depths   int // paths have MinDepth .. MinDepth+Depths-1 level frames
}

// NewLayout returns a layout for n stacks whose paths have between minDepth
// and minDepth+depths-1 level frames; minDepth is raised if needed so that
// every stack is distinct.
func NewLayout(n, minDepth, depths int) Layout {
	if depths < 1 {
		depths = 1
	}
	if minDepth < 1 {
		minDepth = 1
	}
	perDepth := (n + int(NumKinds)*depths - 1) / (int(NumKinds) * depths)
	for int(math.Pow(NumLevels, float64(minDepth))) < perDepth {
		minDepth++
	}
	return Layout{Stacks: n, MinDepth: minDepth, Depths: depths}
}

// Spec returns stack k. Distinct k give distinct (Kind, depth, path), hence
// distinct stacks.
func (l Layout) Spec(k int) Spec {
	kind := Kind(k % int(NumKinds))
	r := k / int(NumKinds)
	depth := l.MinDepth + r%l.Depths
	p := r / l.Depths
	path := make([]uint8, depth)
	for i := range path {
		path[i] = uint8(p % NumLevels)
		p /= NumLevels
	}
	return Spec{ID: k, Path: path, Kind: kind}
}

// Picker chooses the stack of each successive goroutine: the first Stacks
// goroutines get one stack each, the rest follow a Zipf law over a fixed
// random permutation of the stacks, so that a few groups are large (like a
// leak) and most are small.
type Picker struct {
	n    int
	next int
	perm []int
	zipf *rand.Zipf
}

// NewPicker returns a deterministic picker over n stacks.
func NewPicker(n int, seed uint64) *Picker {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	imax := uint64(n - 1)
	if n < 2 {
		imax = 1
	}
	return &Picker{n: n, perm: r.Perm(n), zipf: rand.NewZipf(r, 1.07, 4, imax)}
}

// Next returns the stack index of the next goroutine.
func (p *Picker) Next() int {
	i := p.next
	p.next++
	if i < p.n {
		return i
	}
	return p.perm[int(p.zipf.Uint64())%p.n]
}

// Env holds the objects goroutines block on.
type Env struct {
	parked  atomic.Int64
	spawned int

	ch    chan int // received from, never sent to
	ch2   chan int // sent to, never received from
	mu    sync.Mutex
	rw    sync.RWMutex
	wg    sync.WaitGroup
	condL sync.Mutex
	cond  *sync.Cond
	npR   net.Conn
	npW   net.Conn

	maxPipes int
	pipesR   []*os.File
	pipesW   []*os.File
}

// NewEnv sets up the blocking objects. IO-wait stacks get one os.Pipe each,
// up to maxPipes pipes (two file descriptors each); beyond that they share.
func NewEnv(maxPipes int) *Env {
	if maxPipes < 1 {
		maxPipes = 1
	}
	e := &Env{ch: make(chan int), ch2: make(chan int), maxPipes: maxPipes}
	e.mu.Lock()
	e.rw.Lock()
	e.wg.Add(1)
	e.cond = sync.NewCond(&e.condL)
	e.npR, e.npW = net.Pipe()
	return e
}

// Spawned is the number of goroutines started so far.
func (e *Env) Spawned() int { return e.spawned }

func (e *Env) pipeFor(k int) int {
	i := (k / int(NumKinds)) % e.maxPipes
	for len(e.pipesR) <= i {
		r, w, err := os.Pipe()
		if err != nil {
			panic(fmt.Sprintf("os.Pipe: %v (raise ulimit -n or lower -maxpipes)", err))
		}
		e.pipesR = append(e.pipesR, r)
		e.pipesW = append(e.pipesW, w)
	}
	return i
}

// Spawn starts one goroutine running stack sp. Each goroutine gets its own
// copy of the Spec, so pointer arguments differ between goroutines of a group,
// as they do in real programs.
func (e *Env) Spawn(sp Spec) {
	s := new(Spec)
	*s = sp
	s.env = e
	if s.Kind == IOWait {
		s.pipe = e.pipeFor(s.ID)
	}
	e.spawned++
	switch s.Path[0] {
	case 0:
		go walk0(s, 1)
	case 1:
		go srv.handle(s, 1)
	case 2:
		go codec.decode(s, 1)
	case 3:
		go process[int](s, 1, 0)
	case 4:
		go retry(s, 1)
	case 5:
		go relay(s, 1)
	case 6:
		go walk6(s, 1)
	case 7:
		go q.pop(s, 1)
	}
}

var leaves [NumKinds]func(*Spec)

func init() {
	leaves = [NumKinds]func(*Spec){
		leafChanRecv, leafChanSend, leafSelect, leafMutex, leafRWMutex,
		leafWaitGroup, leafCond, leafSleep, leafIOWait, leafNetPipe,
		leafNilChan, leafSelectNoCases,
	}
}

//go:noinline
func leafChanRecv(s *Spec) {
	s.env.parked.Add(1)
	<-s.env.ch
}

//go:noinline
func leafChanSend(s *Spec) {
	s.env.parked.Add(1)
	s.env.ch2 <- s.ID
}

//go:noinline
func leafSelect(s *Spec) {
	s.env.parked.Add(1)
	select {
	case <-s.env.ch:
	case s.env.ch2 <- s.ID:
	}
}

//go:noinline
func leafMutex(s *Spec) {
	s.env.parked.Add(1)
	s.env.mu.Lock()
}

//go:noinline
func leafRWMutex(s *Spec) {
	s.env.parked.Add(1)
	s.env.rw.RLock()
}

//go:noinline
func leafWaitGroup(s *Spec) {
	s.env.parked.Add(1)
	s.env.wg.Wait()
}

//go:noinline
func leafCond(s *Spec) {
	s.env.condL.Lock()
	s.env.parked.Add(1)
	s.env.cond.Wait()
}

//go:noinline
func leafSleep(s *Spec) {
	s.env.parked.Add(1)
	time.Sleep(1000 * time.Hour)
}

//go:noinline
func leafIOWait(s *Spec) {
	var b [1]byte
	s.env.parked.Add(1)
	s.env.pipesR[s.pipe].Read(b[:])
}

//go:noinline
func leafNetPipe(s *Spec) {
	var b [1]byte
	s.env.parked.Add(1)
	s.env.npR.Read(b[:])
}

//go:noinline
func leafNilChan(s *Spec) {
	var c chan int
	s.env.parked.Add(1)
	<-c
}

//go:noinline
func leafSelectNoCases(s *Spec) {
	s.env.parked.Add(1)
	select {}
}

// Stack returns runtime.Stack(buf, true) for all goroutines, growing the
// buffer until the whole dump fits (unlike pprof's debug=2 writer, which
// gives up at 64 MiB). hint is a first guess of the size.
func Stack(hint int) []byte {
	if hint < 1<<20 {
		hint = 1 << 20
	}
	buf := make([]byte, hint)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}

// WaitCounted waits until every spawned goroutine has reached its leaf (has
// counted itself), without the dump WaitParked takes to check that nothing
// else runs: cheap enough to call before each of a thousand captures.
func (e *Env) WaitCounted() {
	for e.parked.Load() < int64(e.spawned) {
		time.Sleep(time.Millisecond)
	}
	runtime.Gosched()
}

// WaitParked waits until every spawned goroutine has reached its leaf and no
// goroutine but the caller is running, runnable or in a syscall, then returns
// the dump taken at that moment and its summary.
func (e *Env) WaitParked(hint int) ([]byte, Summary) {
	for e.parked.Load() < int64(e.spawned) {
		time.Sleep(10 * time.Millisecond)
	}
	for try := 0; ; try++ {
		runtime.Gosched()
		time.Sleep(50 * time.Millisecond)
		dump := Stack(hint)
		sum := Summarize(dump)
		if sum.Active <= 1 && sum.Goroutines >= e.spawned+1 {
			return dump, sum
		}
		if try == 200 {
			fmt.Fprintf(os.Stderr, "park: %d goroutines still active after %d tries\n", sum.Active, try)
			return dump, sum
		}
		hint = len(dump) + len(dump)/8
	}
}

// Summary is the ground truth of a debug=2 dump.
type Summary struct {
	Bytes      int
	Goroutines int
	Groups     int            // distinct state + frames (func, file, line) + created-by
	Active     int            // goroutines running, runnable or in a syscall
	States     map[string]int // goroutines per state
	MaxFrames  int
	Frames     int // distinct frames: function + file:line, created-by frames included
}

// Summarize counts the goroutines and groups of a debug=2 dump. A group is
// what a stack-grouping tool should find: goroutines with the same state
// (without wait time and flags), the same frames (function, file, line,
// ignoring arguments and PC offsets) and the same created-by frame.
func Summarize(dump []byte) Summary {
	sum := Summary{Bytes: len(dump), States: map[string]int{}}
	groups := map[string]struct{}{}
	frameSet := map[string]struct{}{}
	var key, fn []byte
	in := false
	frames := 0
	flush := func() {
		if in {
			groups[string(key)] = struct{}{}
			if frames > sum.MaxFrames {
				sum.MaxFrames = frames
			}
		}
		in = false
		key = key[:0]
		frames = 0
	}
	for len(dump) > 0 {
		var line []byte
		if i := bytes.IndexByte(dump, '\n'); i >= 0 {
			line, dump = dump[:i], dump[i+1:]
		} else {
			line, dump = dump, nil
		}
		switch {
		case len(line) == 0:
			flush()
		case bytes.HasPrefix(line, []byte("goroutine ")) && bytes.HasSuffix(line, []byte(":")):
			flush()
			in = true
			sum.Goroutines++
			st := line
			if i := bytes.IndexByte(st, '['); i >= 0 {
				st = st[i+1:]
			}
			if i := bytes.LastIndexByte(st, ']'); i >= 0 {
				st = st[:i]
			}
			if i := bytes.Index(st, []byte(", ")); i >= 0 {
				st = st[:i]
			}
			state := string(st)
			sum.States[state]++
			if state == "running" || state == "runnable" || state == "syscall" {
				sum.Active++
			}
			key = append(key, st...)
		case !in:
		case line[0] == '\t':
			if i := bytes.Index(line, []byte(" +0x")); i >= 0 {
				line = line[:i]
			}
			key = append(key, '|')
			key = append(key, line[1:]...)
			fn = append(fn, ' ')
			fn = append(fn, line[1:]...)
			frameSet[string(fn)] = struct{}{}
		default:
			if bytes.HasPrefix(line, []byte("created by ")) {
				if i := bytes.Index(line, []byte(" in goroutine ")); i >= 0 {
					line = line[:i]
				}
			} else if frames++; bytes.HasSuffix(line, []byte(")")) {
				depth := 0
				for i := len(line) - 1; i >= 0; i-- {
					if line[i] == ')' {
						depth++
					} else if line[i] == '(' {
						depth--
						if depth == 0 {
							line = line[:i]
							break
						}
					}
				}
			}
			key = append(key, '|')
			key = append(key, line...)
			fn = append(fn[:0], bytes.TrimPrefix(line, []byte("created by "))...)
		}
	}
	flush()
	sum.Groups = len(groups)
	sum.Frames = len(frameSet)
	return sum
}
