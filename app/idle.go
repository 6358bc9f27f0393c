package app

import (
	"context"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"

	"pinhole/app/places"
)

// idleWatch gives memory back once the server has sat idle for a while: a
// Pi serving a placed library should not keep the places dataset, the
// start-up scan's garbage and the query page caches of a busy hour.
// Activity is any byte read from a client connection, a scan or a place
// lookup; after delay without any, release runs once (until the next
// activity).
type idleWatch struct {
	delay    time.Duration
	last     atomic.Int64 // unix nanoseconds of the last activity
	released atomic.Bool
	now      func() time.Time
}

func newIdleWatch(delay time.Duration) *idleWatch {
	w := &idleWatch{delay: delay, now: time.Now}
	w.touch()
	return w
}

// touch records activity.
func (w *idleWatch) touch() {
	w.last.Store(w.now().UnixNano())
	w.released.Store(false)
}

// listener counts reads from the connections it accepts as activity. A
// browser's open event stream only receives, so it does not keep the
// server awake.
func (w *idleWatch) listener(ln net.Listener) net.Listener { return idleListener{ln, w} }

type idleListener struct {
	net.Listener
	w *idleWatch
}

func (l idleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	l.w.touch()
	return idleConn{c, l.w}, nil
}

type idleConn struct {
	net.Conn
	w *idleWatch
}

func (c idleConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.w.touch()
	}
	return n, err
}

// due reports whether release should run now: idle for the delay and not
// released since the last activity.
func (w *idleWatch) due() bool {
	if w.delay <= 0 || w.released.Load() {
		return false
	}
	return w.now().Sub(time.Unix(0, w.last.Load())) >= w.delay
}

// run checks a few times per delay until ctx ends, calling release when
// the server has been idle long enough.
func (w *idleWatch) run(ctx context.Context, release func()) {
	if w.delay <= 0 {
		return
	}
	tick := time.NewTicker(max(w.delay/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if w.due() {
			w.released.Store(true)
			release()
		}
	}
}

// releaseMemory is what an idle server gives back: the places dataset
// (places.ReleaseAfter drops it on its own clock too; this catches a
// dataset loaded moments before the server went idle), the database's
// idle connections with their page caches, and every free page of the Go
// heap.
func (s *Server) releaseMemory() {
	dropped := places.Release()
	s.DB.ReleaseMemory()
	debug.FreeOSMemory()
	s.Log.Debug("idle: memory given back", "places_dataset", dropped)
}
