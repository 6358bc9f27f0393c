package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"pinhole/db"
)

// Limiter counts failures per key (an address, a user name) in a sliding
// window and blocks a key that reached the limit until its oldest failure
// leaves the window. Its map in memory answers every question; with a
// database (NewStoredLimiter) failures are also written there and read
// back on start, so restarting the server gives an attacker no fresh
// tries. Only failures write: a successful login of a key without
// failures touches no table.
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time

	db        *db.DB    // nil: memory only
	loaded    bool      // the stored failures are in the map
	lastLoad  time.Time // last attempt to read them
	lastPrune time.Time // last deletion of expired rows
}

const (
	// maxKeys bounds the keys a Limiter remembers.
	maxKeys = 100000
	// maxStoredFailures bounds the stored rows under a flood of keys.
	maxStoredFailures = 2 * maxKeys
	// maxKeyLen: longer keys (a megabyte "user name") are kept as a hash.
	maxKeyLen = 128
	// pruneEvery spaces out deleting expired rows.
	pruneEvery = time.Minute
	// dbTimeout bounds one database call of the limiter.
	dbTimeout = 5 * time.Second
	// unloadedWait is the retry-after given while the stored failures
	// cannot be read: refusing beats forgetting them.
	unloadedWait = time.Minute
)

// NewLimiter allows max failures per key within window, in memory only.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, failures: map[string][]time.Time{}, loaded: true}
}

// NewStoredLimiter is NewLimiter keeping its failures in d as well. It
// reads the failures still inside the window now; if that fails it
// refuses every attempt, retrying the read, until it succeeds.
func NewStoredLimiter(d *db.DB, max int, window time.Duration) *Limiter {
	if d == nil { // a service without a database (route listings in tests)
		return NewLimiter(max, window)
	}
	return newStoredLimiter(d, max, window, time.Now)
}

func newStoredLimiter(d *db.DB, max int, window time.Duration, now func() time.Time) *Limiter {
	l := &Limiter{Max: max, Window: window, now: now, failures: map[string][]time.Time{}, db: d}
	l.mu.Lock()
	l.load(now())
	l.mu.Unlock()
	return l
}

// load reads the stored failures inside the window into the map; call
// with mu held.
func (l *Limiter) load(now time.Time) {
	l.lastLoad = now
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	fs, err := l.db.LoginFailuresSince(ctx, now.Add(-l.Window))
	if err != nil {
		return
	}
	// The table holds every failure the map could (Blocked refuses all
	// attempts until loaded), so it replaces the map rather than merging.
	l.failures = make(map[string][]time.Time, len(fs))
	for _, f := range fs { // oldest first, as the map keeps them
		k := limitKey(f.Key)
		ts := l.failures[k]
		if len(ts) >= 4*l.Max {
			ts = ts[1:]
		}
		l.failures[k] = append(ts, f.At)
	}
	l.shrink(now)
	l.loaded = true
}

// limitKey is the key as counted and stored: very long keys become a
// fixed-size hash so they cannot bloat memory or the table.
func limitKey(k string) string {
	if len(k) <= maxKeyLen {
		return k
	}
	sum := sha256.Sum256([]byte(k))
	return "sha256:" + hex.EncodeToString(sum[:])
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

// shrink bounds the map under a flood of distinct keys: it drops expired
// state, then keys that are not blocked, so blocked keys stay blocked.
// Call with mu held.
func (l *Limiter) shrink(now time.Time) {
	if len(l.failures) <= maxKeys {
		return
	}
	for k := range l.failures {
		if fs := l.prune(k, now); len(fs) > 0 && len(fs) < l.Max && len(l.failures) > maxKeys/2 {
			delete(l.failures, k)
		}
	}
}

// Blocked reports whether any key is over the limit and for how long.
func (l *Limiter) Blocked(keys ...string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.loaded {
		if now.Sub(l.lastLoad) >= time.Second || now.Before(l.lastLoad) {
			l.load(now)
		}
		if !l.loaded {
			return true, unloadedWait
		}
	}
	var wait time.Duration
	for _, k := range keys {
		fs := l.prune(limitKey(k), now)
		if len(fs) >= l.Max {
			if w := l.Window - now.Sub(fs[len(fs)-l.Max]); w > wait {
				wait = w
			}
		}
	}
	return wait > 0, wait
}

// Fail records one failure for every key. The failure counts in memory
// even if storing it fails.
func (l *Limiter) Fail(keys ...string) {
	l.mu.Lock()
	now := l.now()
	stored := make([]string, 0, len(keys))
	for _, k := range keys {
		k = limitKey(k)
		stored = append(stored, k)
		fs := l.prune(k, now)
		if len(fs) >= 4*l.Max { // bound memory under a flood
			fs = fs[1:]
		}
		l.failures[k] = append(fs, now)
	}
	l.shrink(now)
	prune := l.db != nil && (now.Sub(l.lastPrune) >= pruneEvery || now.Before(l.lastPrune))
	if prune {
		l.lastPrune = now
	}
	l.mu.Unlock()

	// The database is written outside the lock: Blocked, asked on every
	// login, never waits for a write.
	if l.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	_ = l.db.RecordLoginFailures(ctx, now, stored...)
	if prune {
		_, _ = l.db.PruneLoginFailures(ctx, now.Add(-l.Window), maxStoredFailures)
	}
}

// Reset forgets a key's failures (after a successful login). Only a key
// that had failures costs a database write.
func (l *Limiter) Reset(keys ...string) {
	l.mu.Lock()
	var had []string
	for _, k := range keys {
		k = limitKey(k)
		if _, ok := l.failures[k]; ok {
			had = append(had, k)
			delete(l.failures, k)
		}
	}
	l.mu.Unlock()
	if l.db != nil && len(had) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		defer cancel()
		_ = l.db.DeleteLoginFailures(ctx, had...)
	}
}
