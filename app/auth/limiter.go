package auth

import (
	"sync"
	"time"
)

// Limiter counts failures per key (an address, a user name) in a sliding
// window and blocks a key that reached the limit until its oldest failure
// leaves the window. It lives in memory: a restart forgets it, which is
// fine for slowing down password guessing.
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// maxKeys bounds the keys a Limiter remembers.
const maxKeys = 100000

// NewLimiter allows max failures per key within window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, failures: map[string][]time.Time{}}
}

// prune drops failures older than the window; call with mu held.
func (l *Limiter) prune(key string, now time.Time) []time.Time {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= l.Window {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(l.failures, key)
	} else {
		l.failures[key] = fs
	}
	return fs
}

// Blocked reports whether any key is over the limit and for how long.
func (l *Limiter) Blocked(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		fs := l.prune(k, now)
		if len(fs) >= l.Max {
			if w := l.Window - now.Sub(fs[len(fs)-l.Max]); w > wait {
				wait = w
			}
		}
	}
	return wait > 0, wait
}

// Fail records one failure for every key.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	for _, k := range keys {
		fs := l.prune(k, now)
		if len(fs) >= 4*l.Max { // bound memory under a flood
			fs = fs[1:]
		}
		l.failures[k] = append(fs, now)
	}
	if len(l.failures) > maxKeys {
		// A flood of distinct keys: drop expired state, then keys that are
		// not blocked, so memory stays bounded and blocked keys stay blocked.
		for k := range l.failures {
			if fs := l.prune(k, now); len(fs) > 0 && len(fs) < l.Max && len(l.failures) > maxKeys/2 {
				delete(l.failures, k)
			}
		}
	}
}

// Reset forgets a key's failures (after a successful login).
func (l *Limiter) Reset(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		delete(l.failures, k)
	}
}
