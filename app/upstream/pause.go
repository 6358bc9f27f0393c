package upstream

import (
	"sync"
	"sync/atomic"
)

// Pause is the owner's "pause online services" switch, shared by every
// online service and read on each request: while it is on they send
// nothing and answer from what the server already has. A nil *Pause is
// never paused. It is safe for concurrent use.
type Pause struct {
	on atomic.Bool

	mu       sync.Mutex
	onResume []func()
}

// NewPause returns a switch in the given position.
func NewPause(paused bool) *Pause {
	p := &Pause{}
	p.on.Store(paused)
	return p
}

// Paused reports whether online services must not be contacted.
func (p *Pause) Paused() bool { return p != nil && p.on.Load() }

// Set turns the switch and reports whether that changed it. Turning it
// off runs the OnResume functions, in the order they were added.
func (p *Pause) Set(paused bool) (changed bool) {
	p.mu.Lock()
	changed = p.on.Swap(paused) != paused
	fns := append([]func(){}, p.onResume...)
	p.mu.Unlock()
	if changed && !paused {
		for _, f := range fns {
			f()
		}
	}
	return changed
}

// OnResume adds a function to run whenever the switch is turned off, e.g.
// to redo what was answered offline meanwhile.
func (p *Pause) OnResume(f func()) {
	p.mu.Lock()
	p.onResume = append(p.onResume, f)
	p.mu.Unlock()
}
