package park

// walk6 lives in a second file so that frames differ in file name too.
//
//go:noinline
func walk6(s *Spec, i int) {
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
