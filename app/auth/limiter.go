package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"pinhole/db"
)

// Limiter counts failures per key (an address, a user name, a name from
// one address) in a sliding window and refuses a key that reached its
// limit until its oldest counted failure leaves the window.
//
// An attempt reserves its slot before the slow password check (Reserve):
// the check and the reservation happen under one lock, and a reserved
// slot counts like a failure until the attempt ends. So 200 simultaneous
// wrong passwords cannot all pass the check before any of them is
// recorded: only as many as the limit are ever verified.
//
// The map in memory answers every question; with a database
// (NewStoredLimiter) failures are also written there and read back on
// start, so restarting the server gives an attacker no fresh tries. Only
// failures write: a successful login of a key without failures touches no
// table.
type Limiter struct {
	// Max is the limit of the keys given to Blocked (the old, single
	// limit API); Reserve gives each key its own.
	Max    int
	Window time.Duration
	now    func() time.Time

	mu       sync.Mutex
	failures map[string][]stamp
	nextID   uint64

	db        *db.DB    // nil: memory only
	loaded    bool      // the stored failures are in the map
	lastLoad  time.Time // last attempt to read them
	lastPrune time.Time // last deletion of expired rows
}

// stamp is one counted try: a failure (id 0) or the slot an attempt in
// progress holds (its reservation's id).
type stamp struct {
	at time.Time
	id uint64
}

// Budget is one limit an attempt counts against: at most Max failures of
// Key within the window. Max 0 counts the failure without limiting (a
// name's failures from a client that signed in as it before).
type Budget struct {
	Key string
	Max int
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
	// keepPerKey bounds the stamps kept for one key under a flood; it
	// must stay above every Budget's Max.
	keepPerKey = 200
)

// NewLimiter allows max failures per key within window, in memory only.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, failures: map[string][]stamp{}, loaded: true}
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
	l := &Limiter{Max: max, Window: window, now: now, failures: map[string][]stamp{}, db: d}
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
	// The table holds every failure the map could (nothing is admitted
	// until loaded), so it replaces the map rather than merging.
	l.failures = make(map[string][]stamp, len(fs))
	for _, f := range fs { // oldest first, as the map keeps them
		k := limitKey(f.Key)
		ts := l.failures[k]
		if len(ts) >= keepPerKey {
			ts = ts[1:]
		}
		l.failures[k] = append(ts, stamp{at: f.At})
	}
	l.shrink(now)
	l.loaded = true
}

// ready reports whether the stored failures are loaded, retrying the read
// at most once a second; call with mu held.
func (l *Limiter) ready(now time.Time) bool {
	if !l.loaded && (now.Sub(l.lastLoad) >= time.Second || now.Before(l.lastLoad)) {
		l.load(now)
	}
	return l.loaded
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

// prune drops stamps older than the window; call with mu held.
func (l *Limiter) prune(key string, now time.Time) []stamp {
	fs := l.failures[key]
	i := 0
	for i < len(fs) && now.Sub(fs[i].at) >= l.Window {
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
// state, then keys below the smallest limit in use, so refused keys stay
// refused. Call with mu held.
func (l *Limiter) shrink(now time.Time) {
	if len(l.failures) <= maxKeys {
		return
	}
	for k := range l.failures {
		if fs := l.prune(k, now); len(fs) > 0 && len(fs) < min(l.Max, PairLimit) && len(l.failures) > maxKeys/2 {
			delete(l.failures, k)
		}
	}
}

// wait is how long a key with these stamps stays refused under max (0:
// it has a free slot).
func (l *Limiter) wait(fs []stamp, max int, now time.Time) time.Duration {
	if max <= 0 || len(fs) < max {
		return 0
	}
	w := l.Window - now.Sub(fs[len(fs)-max].at)
	if w <= 0 {
		w = time.Second // a clock step; the next prune frees it
	}
	return w
}

// Attempt is a try that holds a slot in each of its budgets until it
// ends with Failed, Succeeded or Cancel (exactly one of them).
type Attempt struct {
	l    *Limiter
	id   uint64
	at   time.Time
	keys []string
}

// Reserve checks every budget and, when none is at its limit, holds one
// slot in each for the attempt, atomically: concurrent attempts see each
// other's slots. A refusal is a *RateLimitError saying when to retry.
func (l *Limiter) Reserve(budgets ...Budget) (*Attempt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.ready(now) {
		return nil, &RateLimitError{RetryAfter: unloadedWait}
	}
	var wait time.Duration
	keys := make([]string, len(budgets))
	for i, b := range budgets {
		keys[i] = limitKey(b.Key)
		wait = max(wait, l.wait(l.prune(keys[i], now), b.Max, now))
	}
	if wait > 0 {
		return nil, &RateLimitError{RetryAfter: wait}
	}
	l.nextID++
	a := &Attempt{l: l, id: l.nextID, at: now, keys: keys}
	for _, k := range keys {
		fs := l.failures[k]
		if len(fs) >= keepPerKey { // bound memory under a flood
			fs = fs[1:]
		}
		l.failures[k] = append(fs, stamp{at: now, id: a.id})
	}
	l.shrink(now)
	return a, nil
}

// release removes the attempt's slots; call with mu held.
func (a *Attempt) release() {
	for _, k := range a.keys {
		fs := a.l.failures[k]
		for i := range fs {
			if fs[i].id == a.id {
				fs = append(fs[:i:i], fs[i+1:]...)
				break
			}
		}
		if len(fs) == 0 {
			delete(a.l.failures, k)
		} else {
			a.l.failures[k] = fs
		}
	}
}

// Failed turns the attempt's slots into failures and stores them.
func (a *Attempt) Failed() {
	l := a.l
	l.mu.Lock()
	for _, k := range a.keys {
		fs := l.failures[k]
		for i := range fs {
			if fs[i].id == a.id {
				fs[i].id = 0
				break
			}
		}
	}
	now := l.now()
	prune := l.db != nil && (now.Sub(l.lastPrune) >= pruneEvery || now.Before(l.lastPrune))
	if prune {
		l.lastPrune = now
	}
	l.mu.Unlock()
	l.store(a.at, a.keys, prune)
}

// Succeeded frees the attempt's slots and forgets the failures of the
// keys in reset (a name's failures from the address it just signed in
// from).
func (a *Attempt) Succeeded(reset ...string) {
	a.l.mu.Lock()
	a.release()
	a.l.mu.Unlock()
	a.l.Reset(reset...)
}

// Cancel frees the attempt's slots without counting anything: the
// attempt could not be judged (a database error).
func (a *Attempt) Cancel() {
	a.l.mu.Lock()
	a.release()
	a.l.mu.Unlock()
}

// store writes failures to the database, outside the lock: Reserve, asked
// on every login, never waits for a write.
func (l *Limiter) store(at time.Time, keys []string, prune bool) {
	if l.db == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	_ = l.db.RecordLoginFailures(ctx, at, keys...)
	if prune {
		_, _ = l.db.PruneLoginFailures(ctx, at.Add(-l.Window), maxStoredFailures)
	}
}

// Reset forgets a key's failures (after a successful login). Only a key
// that had failures costs a database write; slots of attempts still in
// progress stay.
func (l *Limiter) Reset(keys ...string) {
	l.mu.Lock()
	var had []string
	for _, k := range keys {
		k = limitKey(k)
		fs, ok := l.failures[k]
		if !ok {
			continue
		}
		kept := fs[:0:0]
		for _, f := range fs {
			if f.id != 0 {
				kept = append(kept, f)
			}
		}
		if len(kept) < len(fs) {
			had = append(had, k)
		}
		if len(kept) == 0 {
			delete(l.failures, k)
		} else {
			l.failures[k] = kept
		}
	}
	l.mu.Unlock()
	if l.db != nil && len(had) > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		defer cancel()
		_ = l.db.DeleteLoginFailures(ctx, had...)
	}
}
