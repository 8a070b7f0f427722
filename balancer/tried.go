package balancer

// Tried remembers the endpoints that a call's earlier attempts used, so
// that its next pick goes elsewhere when it can (a retry after a failure,
// a hedge beside a slow attempt). It holds the last four; the zero value
// is empty and ready to use. It is a plain value, not safe for concurrent
// use: a call whose attempts run at once (hedges) guards it itself.
type Tried struct {
	n int
	m [4]*member
}

// Add remembers p's endpoint.
func (t *Tried) Add(p Pick) {
	if p.m == nil || t.has(p.m) {
		return
	}
	if t.n == len(t.m) {
		copy(t.m[:], t.m[1:])
		t.n--
	}
	t.m[t.n] = p.m
	t.n++
}

// Len returns the number of endpoints remembered.
func (t *Tried) Len() int { return t.n }

func (t *Tried) has(m *member) bool {
	if t == nil {
		return false
	}
	for _, x := range t.m[:t.n] {
		if x == m {
			return true
		}
	}
	return false
}
