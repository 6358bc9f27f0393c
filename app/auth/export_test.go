package auth

import "time"

// What only tests ask of a Limiter: the server asks through Attempt.

// Blocked reports whether any key is at the limit Max and for how long.
func (l *Limiter) Blocked(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.ready(now) {
		return true, unloadedWait
	}
	var wait time.Duration
	for _, k := range keys {
		wait = max(wait, l.wait(l.prune(limitKey(k), now), l.Max, now))
	}
	return wait > 0, wait
}

// Fail records one failure for every key, without a reservation. The
// failure counts in memory even if storing it fails.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	now := l.now()
	stored := make([]string, 0, len(keys))
	for _, k := range keys {
		k = limitKey(k)
		stored = append(stored, k)
		fs := l.prune(k, now)
		if len(fs) >= keepPerKey {
			fs = fs[1:]
		}
		l.failures[k] = append(fs, stamp{at: now})
	}
	l.shrink(now)
	prune := l.db != nil && (now.Sub(l.lastPrune) >= pruneEvery || now.Before(l.lastPrune))
	if prune {
		l.lastPrune = now
	}
	l.mu.Unlock()
	l.store(now, stored, prune)
}
