package web

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// ConnLimits bound what clients can hold open: connections in all and per
// client, and how slowly a request body may arrive. Thousands of
// connections trickling a body used to exhaust the file descriptors
// ("accept4: too many open files") and memory until /healthz stopped
// answering. Max and PerIP are options (app passes --max-conns and
// --max-conns-per-ip; 0 leaves that cap off); the body limits are web's
// own, and zero ones take the defaults below.
type ConnLimits struct {
	// Max caps open connections; it must stay below the process's file
	// descriptor limit (app/serve.go sizes it from RLIMIT_NOFILE).
	Max int
	// PerIP caps one client's open connections (IPv6: per /64). Behind a
	// reverse proxy every connection comes from the proxy: raise it.
	PerIP int
	// BodyIdle fails a request-body read that gets no byte for this long.
	BodyIdle time.Duration
	// BodyMinRate (bytes per second) is what a body must average while
	// the server waits for it, measured over each BodyWindow of waiting.
	BodyMinRate int64
	BodyWindow  time.Duration
}

// Defaults of ConnLimits' body limits: slow-but-steady Wi-Fi uploads run
// at tens of KB/s and more, far above the minimum rate.
const (
	DefaultBodyIdle    = 20 * time.Second
	DefaultBodyMinRate = 1024 // bytes per second
	DefaultBodyWindow  = 30 * time.Second
)

func (l ConnLimits) withDefaults() ConnLimits {
	if l.Max <= 0 {
		l.Max = math.MaxInt
	}
	if l.PerIP <= 0 {
		l.PerIP = math.MaxInt
	}
	if l.BodyIdle <= 0 {
		l.BodyIdle = DefaultBodyIdle
	}
	if l.BodyMinRate <= 0 {
		l.BodyMinRate = DefaultBodyMinRate
	}
	if l.BodyWindow <= 0 {
		l.BodyWindow = DefaultBodyWindow
	}
	return l
}

// limitListener counts accepted connections per client and in all, and
// closes what is over the limits at once, before any byte is read. When
// the global cap is reached, a client holding fewer connections than the
// greediest one still gets in: the greediest client's oldest connection is
// closed for it, so many slow clients cannot lock out one more.
type limitListener struct {
	net.Listener
	lim ConnLimits
	log *slog.Logger

	mu    sync.Mutex
	total int
	byKey map[string][]*limitConn

	refused, evicted atomic.Int64
	lastWarn         atomic.Int64 // unix seconds of the last log line
}

func newLimitListener(ln net.Listener, lim ConnLimits, log *slog.Logger) *limitListener {
	return &limitListener{Listener: ln, lim: lim.withDefaults(), log: log, byKey: map[string][]*limitConn{}}
}

// limitConn is an accepted connection the listener counts until closed.
type limitConn struct {
	net.Conn
	l        *limitListener
	key      string
	released bool // guarded by l.mu
}

func (c *limitConn) Close() error {
	c.l.mu.Lock()
	c.l.releaseLocked(c)
	c.l.mu.Unlock()
	return c.Conn.Close()
}

// clientKey groups connections by client: the IPv4 address, or the /64
// of an IPv6 one (one home or one machine gets a whole /64).
func clientKey(a net.Addr) string {
	ta, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if v4 := ta.IP.To4(); v4 != nil {
		return v4.String()
	}
	return ta.IP.Mask(net.CIDRMask(64, 128)).String()
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := clientKey(c.RemoteAddr())
		lc, victim, why := l.admit(c, key)
		if victim != nil {
			l.evicted.Add(1)
			victim.Conn.Close()
		}
		if lc == nil {
			l.refused.Add(1)
			if tc, ok := c.(*net.TCPConn); ok {
				// A reset rather than a goodbye: nothing is owed to a
				// connection over the limits, and the kernel keeps no
				// state for it afterwards.
				_ = tc.SetLinger(0)
			}
			c.Close()
			l.warn(why, key)
			continue
		}
		return lc, nil
	}
}

// admit registers c, or says why not; victim is a connection closed to
// make room for it.
func (l *limitListener) admit(c net.Conn, key string) (lc, victim *limitConn, why string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	mine := len(l.byKey[key])
	if mine >= l.lim.PerIP {
		return nil, nil, fmt.Sprintf("client has %d connections open (limit %d)", mine, l.lim.PerIP)
	}
	if l.total >= l.lim.Max {
		var greediest []*limitConn
		for _, list := range l.byKey {
			if len(list) > len(greediest) {
				greediest = list
			}
		}
		if len(greediest) <= mine+1 {
			return nil, nil, fmt.Sprintf("%d connections open (limit %d)", l.total, l.lim.Max)
		}
		victim = greediest[0]
		l.releaseLocked(victim)
	}
	lc = &limitConn{Conn: c, l: l, key: key}
	l.byKey[key] = append(l.byKey[key], lc)
	l.total++
	return lc, victim, ""
}

func (l *limitListener) releaseLocked(c *limitConn) {
	if c.released {
		return
	}
	c.released = true
	list := l.byKey[c.key]
	for i, x := range list {
		if x == c {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(l.byKey, c.key)
	} else {
		l.byKey[c.key] = list
	}
	l.total--
}

// warn logs a refusal at most once a minute: a flood must not flood the
// log too.
func (l *limitListener) warn(why, key string) {
	now := time.Now().Unix()
	last := l.lastWarn.Load()
	if now-last < 60 || !l.lastWarn.CompareAndSwap(last, now) {
		return
	}
	l.log.Warn("connection refused", "client", key, "why", why, "refused_total", l.refused.Load(), "evicted_total", l.evicted.Load())
}

// SlowBodyError is a request body that arrived slower than the minimum
// rate; the connection is closed after the answer.
type SlowBodyError struct {
	Got, Want int64 // bytes per second
	Window    time.Duration
}

func (e *SlowBodyError) Error() string {
	return fmt.Sprintf("the request body arrived too slowly (%d bytes/s over %s; at least %d needed)", e.Got, e.Window, e.Want)
}

// guardBodies puts a deadline on every read of a request body, extended
// as bytes arrive, and a minimum average rate, so a client cannot hold a
// connection (and its file descriptor) by trickling a body; uploads that
// keep moving, however slowly the network, are not cut.
func guardBodies(lim ConnLimits, next http.Handler) http.Handler {
	lim = lim.withDefaults()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			// No body: net/http is already reading ahead to notice the
			// client leaving, and a deadline here would cut that short.
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		// Set now, so a handler that never reads the body still leaves it
		// bounded: net/http drains what is left after the handler.
		if err := rc.SetReadDeadline(time.Now().Add(lim.BodyIdle)); err != nil {
			next.ServeHTTP(w, r) // a test recorder: nothing to guard
			return
		}
		r.Body = &guardedBody{ReadCloser: r.Body, rc: rc, w: w, lim: lim}
		next.ServeHTTP(w, r)
	})
}

type guardedBody struct {
	io.ReadCloser
	rc  *http.ResponseController
	w   http.ResponseWriter
	lim ConnLimits

	done   bool          // EOF or an error: deadlines are net/http's again
	waited time.Duration // time spent waiting for bytes in this window
	got    int64         // bytes in this window
}

func (g *guardedBody) Read(p []byte) (int, error) {
	if g.done {
		// After EOF net/http reads ahead on the connection itself; moving
		// the deadline now would cancel the request.
		return g.ReadCloser.Read(p)
	}
	start := time.Now()
	_ = g.rc.SetReadDeadline(start.Add(g.lim.BodyIdle))
	n, err := g.ReadCloser.Read(p)
	g.waited += time.Since(start)
	g.got += int64(n)
	if err != nil {
		g.done = true
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			g.w.Header().Set("Connection", "close")
			return n, &SlowBodyError{Got: 0, Want: g.lim.BodyMinRate, Window: g.lim.BodyIdle}
		}
		return n, err
	}
	// Only time spent waiting on the client counts: a handler busy between
	// reads (hashing, writing) must not make the client look slow.
	if g.waited >= g.lim.BodyWindow {
		rate := int64(float64(g.got) / g.waited.Seconds())
		if rate < g.lim.BodyMinRate {
			g.done = true
			// Fail the rest of the body at once and close the connection
			// after the answer, freeing its descriptor.
			_ = g.rc.SetReadDeadline(time.Now())
			g.w.Header().Set("Connection", "close")
			return n, &SlowBodyError{Got: rate, Want: g.lim.BodyMinRate, Window: g.waited.Round(time.Second)}
		}
		g.waited, g.got = 0, 0
	}
	return n, nil
}
