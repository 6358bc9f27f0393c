package thumbs

import (
	"container/list"
	"context"
	"sync"
)

// Priority orders work competing for decode memory.
type Priority int

const (
	// Interactive is a browser waiting for a thumbnail (the default).
	Interactive Priority = iota
	// Background is cache warm-up: it yields to interactive requests and
	// uses at most half of the decode budget.
	Background
)

type priorityKey struct{}

// WithPriority marks ctx's thumbnail work with p.
func WithPriority(ctx context.Context, p Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, p)
}

func priorityOf(ctx context.Context) Priority {
	p, _ := ctx.Value(priorityKey{}).(Priority)
	return p
}

// memGate is a weighted semaphore over bytes of decode memory with two
// queues. golang.org/x/sync/semaphore is strictly FIFO, so a queued warm-up
// decode would hold back a browser's request behind it; here interactive
// waiters are always served first and background work only starts while
// no interactive request waits.
type memGate struct {
	mu     sync.Mutex
	size   int64
	cur    int64
	fg, bg list.List // of *gateWaiter
}

type gateWaiter struct {
	n     int64
	ready chan struct{}
}

func newMemGate(size int64) *memGate { return &memGate{size: size} }

// clamp keeps a request at one byte at least.
func (g *memGate) clamp(n int64) int64 { return max(1, n) }

// errOverBudget answers a request for more than the whole budget: such a
// decode never runs, not even alone (plans are refused before, this is
// the gate's own guard).
var errOverBudget = tooLarge("needs more memory than the whole decode budget")

// Acquire takes n bytes, waiting as needed; more than the whole budget is
// refused at once.
func (g *memGate) Acquire(ctx context.Context, n int64, p Priority) error {
	n = g.clamp(n)
	if n > g.size {
		return errOverBudget
	}
	g.mu.Lock()
	if g.fits(n, p) && g.fg.Len() == 0 && (p == Interactive || g.bg.Len() == 0) {
		g.cur += n
		g.mu.Unlock()
		return nil
	}
	w := &gateWaiter{n: n, ready: make(chan struct{})}
	q := &g.fg
	if p == Background {
		q = &g.bg
	}
	el := q.PushBack(w)
	g.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		select {
		case <-w.ready:
			// Granted while giving up: hand it back.
			g.cur -= n
			g.grant()
		default:
			q.Remove(el)
			g.grant() // a large waiter leaving may unblock smaller ones
		}
		g.mu.Unlock()
		return ctx.Err()
	}
}

// Release returns n bytes (the same n given to Acquire).
func (g *memGate) Release(n int64) {
	n = g.clamp(n)
	g.mu.Lock()
	g.cur -= n
	g.grant()
	g.mu.Unlock()
}

func (g *memGate) fits(n int64, p Priority) bool {
	if p == Background {
		return g.cur == 0 || g.cur+n <= g.size/2
	}
	return g.cur+n <= g.size
}

// grant wakes waiters in order, interactive first; called with mu held.
func (g *memGate) grant() {
	for g.fg.Len() > 0 {
		w := g.fg.Front().Value.(*gateWaiter)
		if !g.fits(w.n, Interactive) {
			return // keep the order: do not let anyone overtake
		}
		g.cur += w.n
		g.fg.Remove(g.fg.Front())
		close(w.ready)
	}
	for g.bg.Len() > 0 {
		w := g.bg.Front().Value.(*gateWaiter)
		if !g.fits(w.n, Background) {
			return
		}
		g.cur += w.n
		g.bg.Remove(g.bg.Front())
		close(w.ready)
	}
}
