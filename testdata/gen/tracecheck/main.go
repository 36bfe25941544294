// tracecheck prints a per-goroutine summary of a Go execution trace, read
// with golang.org/x/exp/trace (Go's own reader), in the format goroscope's
// tests/tracesum prints, so the two readers can be compared line by line.
//
//	tracecheck FILE
//
// One line per goroutine, sorted by id:
//
//	g=ID created=yes|no parent=ID|- start=FUNC|- blocks=N blocked_us=N
//	created_us=N|- end=alive|ended end_us=N|- state=STATE reason=REASON|-
//
// Times are microseconds (rounded down) since the trace's first event.
// blocks counts Running->Waiting transitions; blocked_us sums their lengths
// up to the unblock or the end of the trace. state is the last state (running,
// runnable, waiting, syscall, or notexist once ended); reason is the reason of
// the last block while the goroutine is still waiting at the end. Goroutines
// seen only through a status event in the first generation are created=no.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"

	"golang.org/x/exp/trace"
)

type gor struct {
	id         trace.GoID
	created    bool
	parent     trace.GoID
	start      string
	blocks     int
	blockedNs  int64
	blockSince trace.Time
	waiting    bool
	createdAt  trace.Time
	ended      bool
	endAt      trace.Time
	state      trace.GoState
	reason     string
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: tracecheck FILE")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracecheck:", err)
		os.Exit(1)
	}
	defer f.Close()
	r, err := trace.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		fmt.Fprintln(os.Stderr, "tracecheck:", err)
		os.Exit(1)
	}
	gs := map[trace.GoID]*gor{}
	get := func(id trace.GoID) *gor {
		g := gs[id]
		if g == nil {
			g = &gor{id: id, parent: trace.NoGoroutine}
			gs[id] = g
		}
		return g
	}
	var first, last trace.Time
	seen := false
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "tracecheck:", err)
			os.Exit(1)
		}
		if !seen {
			first, seen = ev.Time(), true
		}
		last = ev.Time()
		if ev.Kind() != trace.EventStateTransition {
			continue
		}
		st := ev.StateTransition()
		if st.Resource.Kind != trace.ResourceGoroutine {
			continue
		}
		id := st.Resource.Goroutine()
		from, to := st.Goroutine()
		g := get(id)
		t := ev.Time()
		if from == trace.GoNotExist && to != trace.GoNotExist {
			// A new incarnation (cgo callbacks reuse ids): start over.
			*g = gor{id: id, parent: trace.NoGoroutine, created: true, createdAt: t}
			g.parent = ev.Goroutine()
			if fr := firstFrame(st.Stack); fr != "" {
				g.start = fr
			}
		}
		if g.waiting && to != trace.GoWaiting {
			g.blockedNs += int64(t - g.blockSince)
			g.waiting = false
		}
		if from == trace.GoRunning && to == trace.GoWaiting {
			g.blocks++
			g.waiting = true
			g.blockSince = t
			g.reason = st.Reason
		}
		if to == trace.GoNotExist {
			g.ended = true
			g.endAt = t
		}
		g.state = to
	}
	ids := make([]trace.GoID, 0, len(gs))
	for id := range gs {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for _, id := range ids {
		g := gs[id]
		if g.waiting {
			g.blockedNs += int64(last - g.blockSince)
		}
		fmt.Fprintf(w, "g=%d created=%s parent=%s start=%s blocks=%d blocked_us=%d created_us=%s end=%s end_us=%s state=%s reason=%s\n",
			id, yesno(g.created), goid(g.parent), dash(g.start), g.blocks, g.blockedNs/1000,
			us(g.created, g.createdAt, first), endWord(g.ended), us(g.ended, g.endAt, first),
			stateWord(g.state), reasonWord(g))
	}
}

func firstFrame(s trace.Stack) string {
	name := ""
	for f := range s.Frames() {
		name = f.Func
		break
	}
	return name
}

func yesno(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func goid(id trace.GoID) string {
	if id == trace.NoGoroutine {
		return "-"
	}
	return fmt.Sprint(int64(id))
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func us(ok bool, t, first trace.Time) string {
	if !ok {
		return "-"
	}
	return fmt.Sprint(int64(t-first) / 1000)
}

func endWord(ended bool) string {
	if ended {
		return "ended"
	}
	return "alive"
}

func stateWord(s trace.GoState) string {
	switch s {
	case trace.GoNotExist:
		return "notexist"
	case trace.GoRunnable:
		return "runnable"
	case trace.GoRunning:
		return "running"
	case trace.GoWaiting:
		return "waiting"
	case trace.GoSyscall:
		return "syscall"
	}
	return "undetermined"
}

func reasonWord(g *gor) string {
	if !g.waiting || g.reason == "" {
		return "-"
	}
	return fmt.Sprintf("%q", g.reason)
}
