// Code below is the call-path machinery of the stack generator: eight "levels"
// that call each other according to Spec.Path, so that each path yields a
// distinct stack (different functions and different call lines).
// It was written by a one-off script; edit by hand if needed.

package park

var (
	srv   = &Server{name: "srv"}
	codec = Codec{a: 1, b: 2}
	q     = &queue[string]{}
)

// Server gives a pointer-receiver method frame: park.(*Server).handle.
type Server struct{ name string }

// Codec gives a value-receiver method frame: park.Codec.decode.
type Codec struct{ a, b int }

// queue gives a generic method frame: park.(*queue[...]).pop.
type queue[T any] struct{ items []T }

//go:noinline
func walk0(s *Spec, i int) {
	if i >= len(s.Path) {
		leaves[s.Kind](s)
		return
	}
	switch s.Path[i] {
	case 0:
		walk0(s, i+1)
	case 1:
		srv.handle(s, i+1)
	case 2:
		codec.decode(s, i+1)
	case 3:
		process[int](s, i+1, i)
	case 4:
		retry(s, i+1)
	case 5:
		relay(s, i+1)
	case 6:
		walk6(s, i+1)
	case 7:
		q.pop(s, i+1)
	}
}

//go:noinline
func (sv *Server) handle(s *Spec, i int) {
	if i >= len(s.Path) {
		leaves[s.Kind](s)
		return
	}
	switch s.Path[i] {
	case 0:
		walk0(s, i+1)
	case 1:
		srv.handle(s, i+1)
	case 2:
		codec.decode(s, i+1)
	case 3:
		process[int](s, i+1, i)
	case 4:
		retry(s, i+1)
	case 5:
		relay(s, i+1)
	case 6:
		walk6(s, i+1)
	case 7:
		q.pop(s, i+1)
	}
}

//go:noinline
func (c Codec) decode(s *Spec, i int) {
	if i >= len(s.Path) {
		leaves[s.Kind](s)
		return
	}
	switch s.Path[i] {
	case 0:
		walk0(s, i+1)
	case 1:
		srv.handle(s, i+1)
	case 2:
		codec.decode(s, i+1)
	case 3:
		process[int](s, i+1, i)
	case 4:
		retry(s, i+1)
	case 5:
		relay(s, i+1)
	case 6:
		walk6(s, i+1)
	case 7:
		q.pop(s, i+1)
	}
}

// process gives a generic function frame: park.process[...].
//
//go:noinline
func process[T any](s *Spec, i int, v T) {
	if i >= len(s.Path) {
		leaves[s.Kind](s)
		return
	}
	switch s.Path[i] {
	case 0:
		walk0(s, i+1)
	case 1:
		srv.handle(s, i+1)
	case 2:
		codec.decode(s, i+1)
	case 3:
		process[int](s, i+1, i)
	case 4:
		retry(s, i+1)
	case 5:
		relay(s, i+1)
	case 6:
		walk6(s, i+1)
	case 7:
		q.pop(s, i+1)
	}
}

// retry gives a closure frame: park.retry.func1 under park.retry.
//
//go:noinline
func retry(s *Spec, i int) {
	f := func() {
		if i >= len(s.Path) {
			leaves[s.Kind](s)
			return
		}
		switch s.Path[i] {
		case 0:
			walk0(s, i+1)
		case 1:
			srv.handle(s, i+1)
		case 2:
			codec.decode(s, i+1)
		case 3:
			process[int](s, i+1, i)
		case 4:
			retry(s, i+1)
		case 5:
			relay(s, i+1)
		case 6:
			walk6(s, i+1)
		case 7:
			q.pop(s, i+1)
		}
	}
	f()
}

// relay is small enough to be inlined into its callers, so its frame shows up
// as an inlined frame "park.relay(...)" in tracebacks and as an extra Line in
// one pprof Location.
func relay(s *Spec, i int) {
	walk5(s, i)
}

//go:noinline
func walk5(s *Spec, i int) {
	if i >= len(s.Path) {
		leaves[s.Kind](s)
		return
	}
	switch s.Path[i] {
	case 0:
		walk0(s, i+1)
	case 1:
		srv.handle(s, i+1)
	case 2:
		codec.decode(s, i+1)
	case 3:
		process[int](s, i+1, i)
	case 4:
		retry(s, i+1)
	case 5:
		relay(s, i+1)
	case 6:
		walk6(s, i+1)
	case 7:
		q.pop(s, i+1)
	}
}

//go:noinline
func (qq *queue[T]) pop(s *Spec, i int) {
	if i >= len(s.Path) {
		leaves[s.Kind](s)
		return
	}
	switch s.Path[i] {
	case 0:
		walk0(s, i+1)
	case 1:
		srv.handle(s, i+1)
	case 2:
		codec.decode(s, i+1)
	case 3:
		process[int](s, i+1, i)
	case 4:
		retry(s, i+1)
	case 5:
		relay(s, i+1)
	case 6:
		walk6(s, i+1)
	case 7:
		q.pop(s, i+1)
	}
}
