// Package upstream keeps the health of an optional online service (the tile
// server, the geocoder): after a failure it backs off exponentially, so an
// unreachable service costs one request per period and one line in the
// status, not a request per tile and a flood of logs.
package upstream

import (
	"sync"
	"time"
)

// Health is an online service's failure record. It is safe for concurrent
// use.
type Health struct {
	base, max time.Duration

	mu        sync.Mutex
	failures  int
	lastErr   string
	lastErrAt time.Time
	nextRetry time.Time
}

// NewHealth backs off base after the first failure, doubling up to max.
func NewHealth(base, max time.Duration) *Health {
	return &Health{base: base, max: max}
}

// Fail records a failure at now and returns the wait before the next try
// and whether this starts an outage (the moment to log it, once).
func (h *Health) Fail(now time.Time, err error) (backoff time.Duration, first bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.failures++
	backoff = min(h.base<<min(h.failures-1, 10), h.max)
	h.nextRetry = now.Add(backoff)
	h.lastErr, h.lastErrAt = err.Error(), now
	return backoff, h.failures == 1
}

// OK records a success and reports whether it ends an outage.
func (h *Health) OK() (recovered bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	recovered = h.failures > 0
	h.failures = 0
	h.nextRetry = time.Time{}
	return recovered
}

// RetryAt is when the service may be asked again (zero: now).
func (h *Health) RetryAt() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.nextRetry
}

// Report is the health part of a status document.
type Report struct {
	LastError   string     `json:"last_error,omitempty"`
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	NextRetry   *time.Time `json:"next_retry,omitempty"`
}

// Report returns the last error and the next retry, when there are any.
func (h *Health) Report() Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := Report{LastError: h.lastErr}
	if !h.lastErrAt.IsZero() {
		t := h.lastErrAt
		r.LastErrorAt = &t
	}
	if !h.nextRetry.IsZero() {
		t := h.nextRetry
		r.NextRetry = &t
	}
	return r
}
